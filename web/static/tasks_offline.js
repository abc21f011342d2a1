// "Le mie attività" without connection: "Fatto" is queued on the phone with an idempotency key and sent
// when the connection returns. The queue lives in localStorage (per operator), so it survives a reload of
// the kept page; each entry keeps its key for ever, so sending it again (two presses, two tabs, an answer
// lost on the way back) is recorded once by the server (Idempotency-Key on /api/v1/tasks/{id}/close).
// A task reassigned or closed by someone else meanwhile is said in words, and the card goes.
(() => {
  "use strict";
  const lists = document.getElementById("lists");
  const words = document.getElementById("offline-words");
  const notices = document.getElementById("notices");
  const banner = document.getElementById("offline");
  if (!lists || !words) return;
  const W = words.dataset;
  const STORE = "centrale.fatto." + lists.dataset.me;

  function load() {
    try {
      const queue = JSON.parse(localStorage.getItem(STORE) || "[]");
      return Array.isArray(queue) ? queue : [];
    } catch (err) {
      return [];
    }
  }
  function save(queue) {
    if (queue.length) localStorage.setItem(STORE, JSON.stringify(queue));
    else localStorage.removeItem(STORE);
  }
  function drop(key) { save(load().filter((e) => e.key !== key)); }
  function fill(text, code, reason) { return (text || "").replace("{code}", code || "").replace("{reason}", reason || ""); }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function notice(text, isError) {
    if (!notices || !text) return;
    const p = document.createElement("p");
    p.className = isError ? "error" : "notice";
    if (isError) p.setAttribute("role", "alert");
    p.textContent = text;
    notices.prepend(p);
    while (notices.children.length > 5) notices.lastElementChild.remove();
  }

  function card(taskId) { return lists.querySelector(`li[data-task-id="${taskId}"]`); }

  function markQueued() {
    const queued = new Set(load().map((e) => String(e.task)));
    for (const li of lists.querySelectorAll("li[data-task-id]")) {
      const waiting = queued.has(li.dataset.taskId);
      li.classList.toggle("queued", waiting);
      const badge = li.querySelector(".badge.queued");
      if (badge) badge.hidden = !waiting;
    }
  }

  function offline(yes) { if (banner) banner.hidden = !yes; }

  function reasonOf(body) {
    const text = (body && (body.message || body.detail)) || "";
    return typeof text === "string" ? text.split(" / ")[0] : "";
  }

  let flushing = false;
  let again = false;
  async function flush() {
    if (flushing) { again = true; return; }
    flushing = true;
    try {
      for (const entry of load()) {
        let answer;
        try {
          answer = await fetch(`/api/v1/tasks/${entry.task}/close`, {
            method: "POST",
            credentials: "same-origin",
            headers: { "Content-Type": "application/json", Accept: "application/json", "Idempotency-Key": entry.key },
            body: JSON.stringify({ state: "SVOLTA", note: entry.note || null }),
          });
        } catch (err) {
          offline(true); // still no connection: the queue waits for the "online" event
          return;
        }
        offline(false);
        if (answer.status === 401) { notice(W.signin, true); return; }
        if (answer.status >= 500 || answer.status === 429) return; // the server will take it on the next try
        drop(entry.key);
        const li = card(entry.task);
        if (answer.ok) {
          notice(fill(W.sent, entry.code));
          if (li) li.remove();
          continue;
        }
        const body = await answer.json().catch(() => ({}));
        if (answer.status === 403) notice(fill(W.reassigned, entry.code), true);
        else if (answer.status === 409) notice(fill(W.closed, entry.code), true);
        else if (answer.status === 404) notice(fill(W.gone, entry.code), true);
        else notice(fill(W.refused, entry.code, reasonOf(body)), true);
        if (li && answer.status !== 422) li.remove();
      }
    } finally {
      flushing = false;
      markQueued();
      if (again) { again = false; flush(); }
    }
  }

  lists.addEventListener("submit", (event) => {
    const form = event.target.closest("form.done");
    if (!form) return;
    event.preventDefault();
    const li = form.closest("li[data-task-id]");
    if (!li) return;
    const queue = load();
    if (!queue.some((e) => String(e.task) === li.dataset.taskId)) {
      const note = form.querySelector('input[name="note"]');
      queue.push({ task: li.dataset.taskId, code: form.dataset.code, note: note ? note.value : "", key: newKey(), at: Date.now() });
      save(queue);
      if (!navigator.onLine) notice(fill(W.queued, form.dataset.code));
    }
    markQueued();
    flush();
  });

  for (const form of document.querySelectorAll('form[action="/logout"]')) {
    form.addEventListener("submit", (event) => {
      if (load().length) { event.preventDefault(); notice(W.pendingSignout, true); }
    });
  }

  window.addEventListener("online", () => { offline(false); flush(); });
  window.addEventListener("offline", () => offline(true));
  new MutationObserver(markQueued).observe(lists, { childList: true });
  setInterval(() => { if (load().length) flush(); }, 20000);
  offline(!navigator.onLine);
  markQueued();
  if (load().length) flush();
})();
