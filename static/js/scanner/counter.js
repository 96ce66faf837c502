// The counter "Có mặt 57/80" over the camera, from the attendance board's JSON: asked after
// each change this phone made, and every 30 s for the other phones' scans.
import { byId, format, poll } from "../shared.js";

// Answers refresh(): ask now.
export function startCounter(url, words) {
  const poller = poll(url, function (board) {
    byId("scan-counter").textContent = format(words.counter, { present: board.present, expected: board.expected });
    byId("scan-extra").textContent = board.walk_ins || board.unannounced
      ? format(words.extra, { walk_ins: board.walk_ins, unannounced: board.unannounced }) : "";
  }, { every: 30000, wait: 30000, status: function () { /* offline: the counter waits */ } });
  return poller.refresh;
}
