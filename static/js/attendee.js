// The invitee's personal page: small touches on top of a page that works without scripts.
(function () {
  "use strict";

  // Opening "Cử người dự thay" puts the cursor in the deputy's name.
  document.querySelectorAll("details.deputy").forEach(function (box) {
    box.addEventListener("toggle", function () {
      var input = box.querySelector("input[name=delegate_name]");
      if (box.open && input) { input.focus(); }
    });
  });

  // The pass says when it was checked in at the door, asking the API now and then (the page
  // keeps the invitation in its session, so no token is needed here).
  var status = document.querySelector("[data-checkin-status]");
  if (!status || !window.fetch || status.textContent.trim() !== "") { return; }
  var timer = null;
  function ask() {
    if (document.hidden) { return; }
    window.apiFetch(status.getAttribute("data-me-url")).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (me) {
      if (me && me.checked_in_at) {
        // "2014-08-12T07:52:00+07:00": the API answers in Vietnam time.
        status.textContent = status.getAttribute("data-checked-in-text") + " " + me.checked_in_at.substring(11, 16);
        window.clearInterval(timer);
      }
    }).catch(function () { /* offline: try again at the next tick */ });
  }
  timer = window.setInterval(ask, 30000);
})();
