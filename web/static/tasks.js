// "Le mie attività": live updates from the personal websocket channel (reminders, new or moved tasks).
(function () {
  "use strict";
  var notices = document.getElementById("notices");
  function notice(text) {
    if (!notices || !text) return;
    var p = document.createElement("p");
    p.className = "notice";
    p.textContent = text;
    notices.prepend(p);
  }
  function connect(last) {
    var proto = location.protocol === "https:" ? "wss:" : "ws:";
    var ws;
    try { ws = new WebSocket(proto + "//" + location.host + "/ws/board" + (last ? "?after=" + last : "")); }
    catch (e) { return; }
    ws.onmessage = function (msg) {
      var event;
      try { event = JSON.parse(msg.data); } catch (e) { return; }
      if (event.seq) last = event.seq;
      if (!event.kind || event.kind.indexOf("task.") !== 0) return;
      var payload = event.payload || {};
      if (event.kind === "task.closed" && payload.task_id) {
        var li = document.querySelector('li[data-task-id="' + payload.task_id + '"]');
        if (li) li.remove();
      } else if (event.recipient_operator_id) {
        notice(payload.text);
        if (event.kind !== "task.reminder") setTimeout(function () { location.reload(); }, 1500);
      }
    };
    ws.onclose = function () { setTimeout(function () { connect(last); }, 3000); };
  }
  connect(0);
})();
