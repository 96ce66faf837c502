// The scanner's service worker: keeps the scanner page and its scripts so that the page reloads
// without network. The scans themselves are queued by the page (static/js/scanner/queue.js),
// never here.
"use strict";
var CACHE = {{ cache|tojson }};
var CACHE_PREFIX = {{ cache_prefix|tojson }};
var PAGE = {{ page|tojson }};
var ASSETS = {{ assets|tojson }};
var NETWORK_WAIT_MS = 4000;  // a slow venue network: show the kept page rather than wait

function keepPage(cache, response) {
  // A redirect (to the login page) or an error is never kept as the scanner.
  if (response.ok && !response.redirected) { return cache.put(PAGE, response); }
  return Promise.resolve();
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(ASSETS).then(function () {
      return fetch(PAGE, { credentials: "same-origin" }).then(function (response) {
        return keepPage(cache, response);
      }, function () {});
    });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf(CACHE_PREFIX) === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function pageFromNetworkOrCache(request) {
  var fromNetwork = fetch(request).then(function (response) {
    var copy = response.clone();
    caches.open(CACHE).then(function (cache) { return keepPage(cache, copy); });
    return response;
  });
  var kept = caches.match(PAGE);
  var slow = new Promise(function (resolve) { setTimeout(resolve, NETWORK_WAIT_MS); });
  return Promise.race([fromNetwork, slow.then(function () { return kept; })])
    .then(function (response) { return response || fromNetwork; })
    .catch(function () { return kept.then(function (response) { return response || Response.error(); }); });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname === PAGE && request.mode === "navigate") {
    event.respondWith(pageFromNetworkOrCache(request));
  } else if (ASSETS.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.match(url.pathname).then(function (response) {
      return response || fetch(request);
    }));
  }
});
