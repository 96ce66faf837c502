// The counter "Có mặt 57/80" over the camera. Each answer of the check-in API carries the
// numbers once that scan is counted (`attendance`, in the board's names): shown at once, with
// no request of its own. The attendance board's JSON is asked every 30 s for the other
// phones' scans, and after an undo (its answer carries no numbers).
import { byId, format, poll } from "../shared.js";

// Answers { show(numbers), refresh() }: show the numbers of an answer, or ask the board now.
export function startCounter(url, words) {
  function show(numbers) {
    if (!numbers || numbers.present === undefined) { return; }
    byId("scan-counter").textContent = format(words.counter, { present: numbers.present, expected: numbers.expected });
    byId("scan-extra").textContent = numbers.walk_ins || numbers.unannounced
      ? format(words.extra, { walk_ins: numbers.walk_ins, unannounced: numbers.unannounced }) : "";
  }
  const poller = poll(url, show, {
    every: 30000, wait: 30000, status: function () { /* offline: the counter waits */ }
  });
  return { show: show, refresh: poller.refresh };
}
