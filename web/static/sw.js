// The Centrale's service worker (served from /sw.js, so its scope is the whole site).
// - Shows a web push notice (a code and a short word: "Nuova attività T-12") and opens its page on a click;
//   the details load only when the page opens, behind the sign-in.
// - Keeps the tutors' page ("Le mie attività", /attivita and its lists) and the files it needs, so a tutor
//   in a cellar or a lift still sees today's tasks: the network first, the kept copy when it fails.
//   "Fatto" pressed offline is queued by the page itself (tasks.js), not here.
// - Forgets every kept page when the page tells it the operator signs out.
"use strict";

const CACHE = "centrale-attivita-v1";
const FILES = [
  "/static/app.css",
  "/static/tasks.css",
  "/static/live.js",
  "/static/tasks.js",
  "/static/tasks_offline.js",
  "/static/pwa.js",
  "/static/favicon.svg",
  "/static/icon-192.png",
];
const KEPT_PAGES = new Set(["/attivita", "/attivita/elenco"]);

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

function offlinePage() {
  const html =
    '<!doctype html><html lang="it"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<title>Senza connessione</title><link rel="stylesheet" href="/static/app.css"></head><body><main id="main">' +
    "<h1>Senza connessione</h1><p>Questa pagina non è salvata sul dispositivo. Riprova quando torna la rete.</p>" +
    '<p><a href="/attivita">Le mie attività</a></p></main></body></html>';
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const answer = await fetch(request);
    // only the signed-in page itself: never a redirect to the sign-in page, never an error page
    if (answer.ok && !answer.redirected && answer.type === "basic") {
      await cache.put(new URL(request.url).pathname, answer.clone());
    }
    return answer;
  } catch (err) {
    const kept = await cache.match(new URL(request.url).pathname);
    return kept || offlinePage();
  }
}

async function keptFirst(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request, { ignoreSearch: true });
  const fresh = fetch(request)
    .then((answer) => {
      if (answer.ok) cache.put(request, answer.clone());
      return answer;
    })
    .catch(() => kept);
  return kept || fresh;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (KEPT_PAGES.has(url.pathname)) {
    event.respondWith(networkFirst(request));
  } else if (FILES.includes(url.pathname)) {
    event.respondWith(keptFirst(request));
  }
});

async function keep(path) {
  // the page that registered the worker was loaded before the worker ran: fetch it once more to keep it
  if (!KEPT_PAGES.has(path)) return;
  try {
    const answer = await fetch(path, { credentials: "same-origin" });
    if (answer.ok && !answer.redirected) await (await caches.open(CACHE)).put(path, answer);
  } catch (err) {
    // offline already: nothing to keep
  }
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "forget") event.waitUntil(caches.delete(CACHE));
  if (data.type === "keep" && typeof data.path === "string") event.waitUntil(keep(data.path));
  // a page that loaded while the worker was activating may have missed the claim: it asks again
  if (data.type === "claim") event.waitUntil(self.clients.claim());
});

self.addEventListener("push", (event) => {
  let notice = {};
  try {
    notice = event.data ? event.data.json() : {};
  } catch (err) {
    notice = {};
  }
  const title = notice.title || "Centrale Operativa";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: notice.body || "",
      tag: notice.tag || undefined,
      renotify: Boolean(notice.tag),
      lang: "it",
      icon: "/static/icon-192.png",
      badge: "/static/icon-192.png",
      data: { url: notice.url || "/" },
    })
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL((event.notification.data && event.notification.data.url) || "/", self.location.origin);
  if (target.origin !== self.location.origin) return; // only this site's pages
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const w of windows) {
        if (new URL(w.url).pathname === target.pathname && "focus" in w) return w.focus();
      }
      return self.clients.openWindow(target.href);
    })
  );
});
