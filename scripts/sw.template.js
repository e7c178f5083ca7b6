// Plainsight's service worker. scripts/pwa-postbuild.sh (a Trunk post_build
// hook) writes it into dist/ as sw.js, with the build's id and the list of
// the build's files with their SHA-256 digests: the files are checked
// against them while they are cached, so one cache never mixes two builds.
//
// - install: caches every file of this build in "plainsight-<build id>";
//   it then waits (no skipWaiting) until the page asks for the new version.
// - activate: deletes the other builds' caches and takes control of pages.
// - fetch: answers from this build's cache first (ignoring the query, so
//   "worker.js?build=…" hits "worker.js"), the network only for the rest.
// - message "skip-waiting": the page's "reload" button activates this build.

const BUILD_ID = "__BUILD_ID__";
const CACHE = "plainsight-" + BUILD_ID;
/** [{ url, integrity }] for every file of this build, relative to this script. */
const PRECACHE = __PRECACHE__;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      try {
        await Promise.all(
          PRECACHE.map(async ({ url, integrity }) => {
            // The HTTP cache is bypassed and the bytes must be this build's.
            const response = await fetch(new Request(url, { cache: "reload", integrity }));
            if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
            await cache.put(url, response);
          }),
        );
      } catch (error) {
        // A half-filled cache is never used: the next visit tries again.
        await caches.delete(CACHE);
        throw error;
      }
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith("plainsight-") && key !== CACHE) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      const scope = new URL(self.registration.scope);
      // The app's address (with any query, e.g. "?fault=…") is index.html.
      const key =
        request.mode === "navigate" && url.pathname === scope.pathname ? "index.html" : request;
      const cached = await cache.match(key, { ignoreSearch: true });
      return cached || fetch(request);
    })(),
  );
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "skip-waiting") self.skipWaiting();
});
