// "Avvisi su questo dispositivo": turns this browser's web push on or off for the signed-in operator.
// The subscription goes to /api/v1/push/subscriptions; the notices carry a code and a short word only.
(() => {
  "use strict";
  const box = document.getElementById("push");
  const state = document.getElementById("push-state");
  const toggle = document.getElementById("push-toggle");
  if (!box || !state || !toggle) return;
  const W = box.dataset;

  function say(text) { state.textContent = text; }

  function keyBytes(base64url) {
    const padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(padded);
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  }

  async function post(path, body) {
    const answer = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    });
    if (!answer.ok && answer.status !== 404) throw new Error(String(answer.status));
  }

  async function registration() {
    if (window.CentraleWorker) await window.CentraleWorker;
    return navigator.serviceWorker.ready;
  }

  function show(on) {
    say(on ? W.on : W.off);
    toggle.textContent = on ? W.disable : W.enable;
    toggle.dataset.on = on ? "1" : "";
    toggle.hidden = false;
  }

  async function turnOn() {
    const permission = await Notification.requestPermission();
    if (permission !== "granted") { say(W.denied); return; }
    const reg = await registration();
    const key = await (await fetch("/api/v1/push/key", { credentials: "same-origin" })).json();
    let sub = await reg.pushManager.getSubscription();
    if (sub) {
      // a fresh endpoint: never one another operator registered on this browser
      await post("/api/v1/push/unsubscribe", { endpoint: sub.endpoint }).catch(() => null);
      await sub.unsubscribe();
    }
    sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key.public_key) });
    await post("/api/v1/push/subscriptions", sub.toJSON());
    show(true);
    window.location.reload(); // the list of devices shows this one
  }

  async function turnOff() {
    const reg = await registration();
    const sub = await reg.pushManager.getSubscription();
    if (sub) {
      await post("/api/v1/push/unsubscribe", { endpoint: sub.endpoint });
      await sub.unsubscribe();
    }
    show(false);
    window.location.reload();
  }

  async function start() {
    if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
      say(W.unsupported);
      return;
    }
    if (Notification.permission === "denied") say(W.denied);
    const reg = await registration();
    const sub = await reg.pushManager.getSubscription();
    show(Boolean(sub) && Notification.permission === "granted");
    if (Notification.permission === "denied") say(W.denied);
  }

  toggle.addEventListener("click", () => {
    toggle.disabled = true;
    (toggle.dataset.on ? turnOff() : turnOn())
      .catch(() => say(W.failed))
      .finally(() => { toggle.disabled = false; });
  });
  start().catch(() => say(W.unsupported));
})();
