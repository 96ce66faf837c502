// The check-in scanner (templates/checkin/scanner.html): the camera reads a pass, the scan goes
// into the offline queue and is sent; a big result, a sound, the counter. The fallbacks: the
// code typed by hand, the search by name, the walk-in form, undo. Each part is its own module
// beside this one; this one wires them together. Start reading here.
//
//   queue.js    the scans not yet answered, kept in localStorage (pure, tested with node)
//   sender.js   one scan to the API, and what its answer means for the queue (tested with node)
//   result.js   the big result screen          feedback.js  its sound and vibration
//   history.js  this phone's last scans, undo  counter.js   "Có mặt 57/80"
//   camera.js   camera + jsQR                  search.js, walkin.js  the fallbacks
//   roster.js   who each pass is, kept for offline scans (tested with node)
import { apiFetch, byId, format } from "../shared.js";
import { startCamera } from "./camera.js";
import { startCounter } from "./counter.js";
import { unlockSoundOnFirstTouch } from "./feedback.js";
import { createHistory } from "./history.js";
import { createQueue, newScan, randomId } from "./queue.js";
import { createResultScreen } from "./result.js";
import { createRoster, offlineAnswer, refreshRoster, subtleDigest } from "./roster.js";
import { setupSearch } from "./search.js";
import { createSender } from "./sender.js";
import { setupWalkIn } from "./walkin.js";

const LIVE_WAIT_MS = 1500;  // after this, a scan without an answer is shown as queued
const SEND_TIMEOUT_MS = 8000;
const RETRY_MS = 10000;
const ROSTER_MS = 5 * 60 * 1000;  // the roster is refreshed this often while online
const ROSTER_FRESH_MS = 2 * 60 * 1000;  // and not again within this time (a page reload)

const root = document.getElementById("scanner");
if (root) { start(root.dataset); }

function start(data) {
  const words = JSON.parse(data.messages);
  const queue = createQueue(window.localStorage, data.queueKey);
  const roster = createRoster(window.localStorage, data.rosterKey, subtleDigest(window.crypto));
  function refreshNames() {
    refreshRoster(apiFetch, data.rosterUrl, roster, { freshMs: ROSTER_FRESH_MS });
  }
  let offline = false;

  // ---- the badge: scans waiting, connection lost, signed out ----------------------------
  function showBadge() {
    const waiting = queue.size();
    byId("scan-waiting").textContent = format(words.waiting, { count: waiting });
    byId("scan-waiting").dataset.count = String(waiting);
    byId("scan-offline").hidden = !offline;
    byId("scan-badge").hidden = waiting === 0 && !offline;
    byId("scan-badge").classList.toggle("is-offline", offline);
  }
  function setOffline(value) { offline = value; showBadge(); }
  function setSignedOut(value) {
    const box = byId("scan-signed-out");
    box.hidden = !value;
    box.querySelector("span").textContent = words.signed_out;
  }

  const send = createSender({
    fetch: apiFetch, url: data.checkinUrl, timeoutMs: SEND_TIMEOUT_MS,
    signedOut: setSignedOut, offline: setOffline
  });
  const result = createResultScreen(words);
  const counter = startCounter(data.boardUrl, words);
  const history = createHistory({
    words: words, invitationsUrl: data.invitationsUrl, showResult: result.show, changed: counter.refresh
  });
  // An answer is remembered in the history and its numbers shown on the counter.
  function onAnswer(scan, answer) {
    history.remember(scan, answer);
    counter.show(answer.attendance);
  }

  // Send what waited (the network is back, the page shows again, every 10 s).
  function flush() {
    queue.flush(send, onAnswer).then(function (sent) {
      if (sent === null) { return; }
      showBadge();
      if (sent) { byId("scan-note").textContent = format(words.synced, { count: sent }); }
    });
  }

  // ---- one scan: queued first, then sent -------------------------------------------------
  function submit(token) {
    const scan = newScan(token, { now: function () { return new Date(); }, id: function () { return randomId(window.crypto); } });
    if (!scan) { return; }
    queue.add(scan);
    showBadge();
    // Who it is, from the roster, for when the server does not answer in time.
    const known = roster.lookup(scan.token);
    let answered = false;
    const waitTimer = setTimeout(function () {
      known.then(function (found) {
        if (!answered) { result.show(offlineAnswer(found), scan.client_id); }
      });
    }, navigator.onLine === false ? 0 : LIVE_WAIT_MS);
    queue.send(scan, send).then(function (answer) {
      answered = true;
      clearTimeout(waitTimer);
      showBadge();
      onAnswer(scan, answer);
      result.show(answer, scan.client_id, true);
      flush();  // the network is back: send what waited
    }, function () {
      answered = true;
      clearTimeout(waitTimer);
      known.then(function (found) {
        if (found && found.revoked) {
          // Refused at the door as the server would: not kept for sending.
          queue.remove(scan.client_id);
          showBadge();
        }
        result.show(offlineAnswer(found), scan.client_id, true);
      });
    });
  }

  // ---- the fallbacks ----------------------------------------------------------------------
  byId("code-form").addEventListener("submit", function (event) {
    event.preventDefault();
    const input = byId("code-input");
    submit(input.value);
    input.value = "";
  });
  setupSearch({ url: data.searchUrl, words: words, checkIn: submit });
  setupWalkIn({
    url: data.walkInUrl, words: words, showResult: result.show,
    done: onAnswer
  });

  // ---- start --------------------------------------------------------------------------------
  unlockSoundOnFirstTouch();
  window.addEventListener("online", function () { flush(); refreshNames(); });
  window.addEventListener("offline", function () { setOffline(true); });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { flush(); } });
  setInterval(flush, RETRY_MS);
  setInterval(refreshNames, ROSTER_MS);
  refreshNames();
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(data.swUrl, { scope: data.swScope }).catch(function () {});
  }
  showBadge();
  flush();
  startCamera(words, submit);
}
