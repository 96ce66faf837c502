// Organizer pages of the invitations: choosing agencies, copying the Zalo/SMS message.
(function () {
  "use strict";

  // The same folding as the server's text.fold: "pho yen" finds "Phổ Yên".
  function fold(text) {
    return (text || "").replace(/đ/g, "d").replace(/Đ/g, "D").normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "").replace(/\s+/g, " ").trim().toLowerCase();
  }

  // --- Invite page: a kind ticks its agencies; the search narrows the list; a live count.
  var form = document.querySelector("[data-invite-form]");
  if (form) {
    var agencyBoxes = function (kind) {
      return form.querySelectorAll('li[data-kind="' + kind + '"] input[name="organization_ids"]:not(:disabled)');
    };
    var counter = form.querySelector("[data-invite-count]");
    var updateCount = function () {
      if (!counter) { return; }
      var chosen = form.querySelectorAll('input[name="organization_ids"]:checked:not(:disabled)').length;
      counter.textContent = counter.getAttribute("data-template").replace("{n}", chosen);
    };
    form.addEventListener("change", function (event) {
      var kind = event.target.getAttribute("data-kind-toggle");
      if (kind) {
        agencyBoxes(kind).forEach(function (box) { box.checked = event.target.checked; });
      }
      updateCount();
    });
    var search = form.querySelector("[data-agency-search]");
    if (search) {
      search.addEventListener("input", function () {
        var wanted = fold(search.value);
        form.querySelectorAll("li[data-search]").forEach(function (item) {
          item.hidden = wanted !== "" && item.getAttribute("data-search").indexOf(wanted) === -1;
        });
      });
      // Enter in the search box filters; it must not submit the invitations.
      search.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); }
      });
    }
    updateCount();
  }

  // --- Invitations page: copy a row's message; where the clipboard is refused, show the text
  // selected so that the organizer copies it by hand.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) { return; }
    var area = document.getElementById(button.getAttribute("data-copy"));
    if (!area) { return; }
    var showFallback = function () {
      var box = area.closest("details");
      if (box) { box.open = true; }
      var hint = box && box.querySelector("[data-copy-hint]");
      if (hint) { hint.hidden = false; }
      area.focus();
      area.select();
    };
    var done = function () {
      var label = button.textContent;
      button.textContent = button.getAttribute("data-copied");
      window.setTimeout(function () { button.textContent = label; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(area.value).then(done, showFallback);
    } else {
      showFallback();
    }
  });
})();
