// The invitee's personal page: small touches on top of a page that works without scripts.
import { hhmm, poll } from "./shared.js";

// Opening "Cử người dự thay" puts the cursor in the deputy's name.
document.querySelectorAll("details.deputy").forEach(function (box) {
  box.addEventListener("toggle", function () {
    const input = box.querySelector("input[name=delegate_name]");
    if (box.open && input) { input.focus(); }
  });
});

// The pass says when it was checked in at the door, asking the API now and then (the page
// keeps the invitation in its session, so no token is needed here).
const status = document.querySelector("[data-checkin-status]");
if (status && status.textContent.trim() === "") {
  const poller = poll(status.getAttribute("data-me-url"), function (me) {
    if (me.checked_in_at) {
      status.textContent = status.getAttribute("data-checked-in-text") + " " + hhmm(me.checked_in_at);
      poller.stop();
    }
  }, { every: 30000, wait: 30000, status: function () { /* offline: ask again later */ } });
}
