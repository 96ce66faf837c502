// The big result over the camera: the colour, the head line ("ĐÃ ĐIỂM DANH"), who it is, and a
// note (a deputy, a walk-in, a scan queued); it goes after 2 s, or at a touch.
import { byId, format, hhmm } from "../shared.js";
import { feedback } from "./feedback.js";

// The server's result -> the colour of the screen, the sound and the history line.
export const COLOURS = {
  checked_in: "ok", already_checked_in: "warn", replaced: "warn", unknown: "bad",
  other_workshop: "bad", invalid: "bad", queued: "wait", undone: "wait",
  // A pass the offline roster lists as revoked is the one the server answers "replaced": the
  // same amber, whether the network is there or not.
  revoked: "warn"
};

export function colourOf(result) { return COLOURS[result] || "bad"; }

// The head line in the page's words: "ĐÃ ĐIỂM DANH LÚC 07:52" for a pass already used,
// "Giấy mời đã chuyển cho người dự thay: …" for a pass handed to an approved deputy.
export function headline(answer, words) {
  const head = words[answer.result] || words.invalid;
  if (answer.result === "replaced") {
    // No deputy named: the invitee took the invitation back, and holds a new pass.
    return answer.deputy_name ? format(head, { name: answer.deputy_name }) : words.replaced_new;
  }
  return answer.result === "already_checked_in" ? format(head, { time: hhmm(answer.checked_in_at) }) : head;
}

export function createResultScreen(words) {
  const box = byId("scan-result");
  let timer = null;
  let shownFor = null;

  function hide() { box.hidden = true; shownFor = null; }
  box.addEventListener("click", hide);

  // show(answer, clientId, replace): with `replace`, a late answer replaces the "queued"
  // screen of its own scan only, never the result of a newer scan.
  function show(answer, clientId, replace) {
    if (replace && shownFor !== clientId && !box.hidden) { return; }
    const person = answer.attendee || {};
    box.className = "scan-result scan-" + colourOf(answer.result);
    box.querySelector(".scan-result-head").textContent = headline(answer, words);
    box.querySelector(".scan-result-name").textContent = person.name || "";
    box.querySelector(".scan-result-title").textContent = person.title || "";
    box.querySelector(".scan-result-organization").textContent = person.organization || "";
    // The seat only with a green or amber answer: where to show the person, said by the server.
    const seat = box.querySelector(".scan-result-seat");
    if (seat) { seat.textContent = person.seat || ""; }
    let note = "";
    if (person.delegate_for) { note = format(words.deputy, { name: person.delegate_for }); }
    else if (person.walk_in) { note = words.walk_in; }
    else if (answer.result === "queued") { note = words.queued_help; }
    box.querySelector(".scan-result-note").textContent = note;
    box.hidden = false;
    shownFor = clientId;
    feedback(colourOf(answer.result));
    clearTimeout(timer);
    timer = setTimeout(hide, answer.result === "checked_in" ? 2000 : 2600);
  }

  return { show: show, hide: hide };
}
