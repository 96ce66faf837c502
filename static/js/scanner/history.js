// What this phone did: the last 30 results under the camera, and "undo" for the last check-in
// (a wrong person let in by mistake).
import { apiFetch, byId, element, format } from "../shared.js";
import { colourOf, headline } from "./result.js";

// options: words, invitationsUrl (the API's /invitations/ prefix), showResult(answer),
// changed() after an undo (the counter).
export function createHistory(options) {
  const words = options.words;
  const list = byId("scan-history");
  let last = null;

  // A line for this scan's answer; a check-in becomes the one that "undo" cancels.
  function remember(scan, answer) {
    const person = answer.attendee || {};
    const line = element("li", "scan-" + colourOf(answer.result));
    line.appendChild(element("span", "scan-history-time", new Date(scan.scanned_at).toTimeString().slice(0, 5)));
    line.appendChild(element("span", null, (person.name ? person.name + " · " : "") + headline(answer, words)));
    list.insertBefore(line, list.firstChild);
    while (list.children.length > 30) { list.removeChild(list.lastChild); }
    if (answer.result === "checked_in" && answer.invitation_id) {
      last = { id: answer.invitation_id, name: person.name };
      byId("scan-last-name").textContent = person.name;
      byId("scan-last").hidden = false;
    }
  }

  byId("scan-undo").addEventListener("click", function () {
    if (!last || !window.confirm(format(words.undo_confirm, { name: last.name }))) { return; }
    const undoing = last;
    apiFetch(options.invitationsUrl + undoing.id + "/checkin", { method: "DELETE" })
      .then(function (response) {
        if (!response.ok && response.status !== 404) { throw new Error("undo"); }
        last = null;
        byId("scan-last").hidden = true;
        options.showResult({ result: "undone", attendee: { name: undoing.name } });
        options.changed();
      })
      .catch(function () { byId("scan-note").textContent = words.undo_failed; });
  });

  return { remember: remember };
}
