// "Le mie attività": the lists refresh themselves when the live channel says one of my tasks changed
// (created, moved to me, reminded, closed). The page asks no board snapshot: it resumes from the
// sequence number it was rendered at, and the lists are read again from the page, not from events.
(() => {
  "use strict";
  const lists = document.getElementById("lists");
  const notices = document.getElementById("notices");
  if (!lists || !window.CentraleLive) return;
  const ME = Number(lists.dataset.me);
  let pending = null;
  let loading = false;
  let again = false;

  function notice(text) {
    if (!notices || !text) return;
    const p = document.createElement("p");
    p.className = "notice";
    p.textContent = text;
    notices.prepend(p);
    while (notices.children.length > 5) notices.lastElementChild.remove();
  }

  function mine(e) {
    if (!e.kind || e.kind.indexOf("task.") !== 0) return false;
    const p = e.payload || {};
    return e.personal || p.assignee_id === ME || p.from_operator_id === ME;
  }

  async function reload() {
    if (loading) { again = true; return; }
    loading = true;
    try {
      const before = new Set([...lists.querySelectorAll("li[data-task-id]")].map((li) => li.dataset.taskId));
      const answer = await fetch("/attivita/elenco", { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (answer.ok) {
        const typing = lists.contains(document.activeElement) && document.activeElement.value;
        if (!typing) {
          lists.innerHTML = await answer.text();
          for (const li of lists.querySelectorAll("li[data-task-id]")) {
            if (!before.has(li.dataset.taskId)) li.classList.add("fresh");
          }
        } else {
          again = true; // do not throw away a note being typed: try again shortly
        }
      }
    } catch (err) {
      again = true;
    } finally {
      loading = false;
      if (again) { again = false; schedule(1000); }
    }
  }

  function schedule(ms) {
    clearTimeout(pending);
    pending = setTimeout(reload, ms);
  }

  function onEvent(e) {
    if (!mine(e)) return;
    const p = e.payload || {};
    if (e.personal && p.text) notice(p.text);
    if (e.kind === "task.closed" && p.task_id) {
      const li = lists.querySelector(`li[data-task-id="${p.task_id}"]`);
      if (li) li.remove();
    }
    schedule(150); // events of one commit arrive together: one read for all of them
  }

  let seen = false;
  const after = Number(lists.dataset.seq);
  CentraleLive.connect({
    after: Number.isFinite(after) ? after : 0,
    maxDelayMs: 5000,
    banner: document.getElementById("stale"),
    onEvent,
    onState: (state) => {
      // back after an interruption: whatever the replay said, read the lists once more
      if (state === "connected" && seen) schedule(150);
      if (state === "connected") seen = true;
    },
    onResync: () => schedule(150), // too far behind to replay: the lists are read again instead
  });
})();
