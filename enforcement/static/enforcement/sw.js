"use strict";
// The enforcement service worker (served at /enforcement/sw.js, scope /enforcement/): keeps the inspection pages
// and the site's static files so that an inspection page opened in a plant with bad signal still opens when the
// connection drops. Records themselves are kept on the device by inspection.js (IndexedDB) and posted when the
// connection returns; nothing here posts.
const CACHE = "anzhi-enforcement-v1";
const PAGE = /^\/enforcement\/inspections\/\d+\/$/;

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) {
      return key.startsWith("anzhi-enforcement-") && key !== CACHE;
    }).map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

function kept(url) {
  return url.origin === self.location.origin && (url.pathname.startsWith("/static/") || PAGE.test(url.pathname));
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
  // Network first (the page is always the current one when online); the kept copy when offline.
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok && response.type === "basic" && !response.redirected) {
      const copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request, {ignoreVary: true}).then(function (hit) { return hit || Response.error(); });
  }));
});
