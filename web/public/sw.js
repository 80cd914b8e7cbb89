// Planet's service worker: keeps this build's app shell so the app opens offline.
// web/build.mjs fills in the build's version and the shell's URLs; a new build is a new
// worker with a new cache, and the old caches are deleted when it takes over.
// - Opening the app ("/") goes to the network first, so an online visit always gets the
//   latest page; offline, the cached page answers and the app says it is offline.
// - The shell's files (named by their content) come from the cache, else the network.
// - Nothing else is touched: the API (/v1/...), the events stream and /docs always go to the
//   node and are never cached, so no balance or record is ever stale or kept here.
const VERSION = "{{version}}";
const SHELL = {{shell}};
const CACHE = `planet-shell-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => n.startsWith("planet-shell-") && n !== CACHE)
      .map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    if (url.pathname !== "/" && url.pathname !== "/index.html") return;
    event.respondWith(fetch(request).catch(() => caches.open(CACHE)
      .then((cache) => cache.match("/"))
      .then((page) => page || Response.error())));
    return;
  }
  if (!SHELL.includes(url.pathname)) return;
  event.respondWith(caches.open(CACHE)
    .then((cache) => cache.match(url.pathname))
    .then((hit) => hit || fetch(request)));
});
