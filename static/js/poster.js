// The venue poster on a screen at the door: its QR code carries a secret that changes every
// few minutes. Poll the current one; keep showing the last image while the network is down.
import { poll } from "./shared.js";

const live = document.getElementById("poster-live");
if (live) { start(live); }

function start(live) {
  const image = document.getElementById("poster-qr");
  const poller = poll(live.dataset.url, function (data) {
    poller.setEvery((data.refresh_seconds || 20) * 1000);
    if (image.getAttribute("src") !== data.qr) {
      const next = new Image();
      next.onload = function () { image.src = data.qr; };
      next.src = data.qr;
    }
  }, { every: 20000, wait: 20000, status: function () { /* offline: the code stays valid a while */ } });
}
