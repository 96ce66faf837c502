// The venue poster on a screen at the door: its QR code carries a secret that changes every
// few minutes. Poll the current one; keep showing the last image while the network is down.
(function () {
  "use strict";
  var live = document.getElementById("poster-live");
  if (!live) { return; }
  var image = document.getElementById("poster-qr");
  var delay = 20000;

  function poll() {
    fetch(live.dataset.url, { headers: { "Accept": "application/json" },
                              credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("poster"); }
        return response.json();
      })
      .then(function (data) {
        delay = (data.refresh_seconds || 20) * 1000;
        if (image.getAttribute("src") !== data.qr) {
          var next = new Image();
          next.onload = function () { image.src = data.qr; };
          next.src = data.qr;
        }
      })
      .catch(function () { /* offline: the current code stays valid a while longer */ })
      .then(function () { setTimeout(poll, delay); });
  }
  setTimeout(poll, delay);
})();
