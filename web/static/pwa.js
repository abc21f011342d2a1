// The pages that are the installable app register the service worker (/sw.js): it shows web push notices
// and keeps the tutors' page for when the connection drops. Signing out makes it forget what it kept.
(() => {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  window.CentraleWorker = navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => null);
  navigator.serviceWorker.ready.then((registration) => {
    if (!registration.active) return;
    registration.active.postMessage({ type: "keep", path: window.location.pathname });
    // so that this very page works offline, not only the next one
    if (!navigator.serviceWorker.controller) registration.active.postMessage({ type: "claim" });
  });
  // on the document, so that a page's own handler on the form (tasks_offline.js) may hold the sign-out back
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (event.defaultPrevented || !form.matches || !form.matches('form[action="/logout"]')) return;
    const worker = navigator.serviceWorker.controller;
    if (worker) worker.postMessage({ type: "forget" });
  });
})();
