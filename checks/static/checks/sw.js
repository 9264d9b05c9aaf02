"use strict";
// The checks service worker (served at /checks/sw.js, scope /checks/): keeps the run form and the site's static
// files so that a form opened in a plant with bad signal still opens when the connection drops. Runs themselves are
// kept on the device by run.js (IndexedDB) and posted when the connection returns; nothing here posts.
const CACHE = "anzhi-checks-v1";

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) {
      return key.startsWith("anzhi-checks-") && key !== CACHE;  // other workers' caches are theirs
    }).map(function (key) {
      return caches.delete(key);
    }));
  }).then(function () { return self.clients.claim(); }));
});

function kept(url) {
  return url.origin === self.location.origin
    && (url.pathname.startsWith("/static/") || url.pathname === "/checks/run/new/");
}

self.addEventListener("fetch", function (event) {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (!kept(url)) {
    return;
  }
  // Network first (a form is always the current one when online); the kept copy when offline.
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok && response.type === "basic") {
      const copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    // ignoreVary: the page varies on Cookie and Accept-Language, and the copy kept by run.js was fetched by the
    // page, not by this navigation; it is the same user's page on the same device either way.
    return caches.match(request, {ignoreVary: true}).then(function (hit) { return hit || Response.error(); });
  }));
});
