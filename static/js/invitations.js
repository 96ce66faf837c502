// Organizer pages of the invitations: choosing agencies, copying the Zalo/SMS message.

// The same folding as the server's text.fold: "pho yen" finds "Phổ Yên".
function fold(text) {
  return (text || "").replace(/đ/g, "d").replace(/Đ/g, "D").normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "").replace(/\s+/g, " ").trim().toLowerCase();
}

// --- Invite page: a kind ticks its agencies; the search narrows the list; a live count.
const form = document.querySelector("[data-invite-form]");
if (form) {
  const agencyBoxes = function (kind) {
    return form.querySelectorAll('li[data-kind="' + kind + '"] input[name="organization_ids"]:not(:disabled)');
  };
  const counter = form.querySelector("[data-invite-count]");
  const updateCount = function () {
    if (!counter) { return; }
    const chosen = form.querySelectorAll('input[name="organization_ids"]:checked:not(:disabled)').length;
    counter.textContent = counter.getAttribute("data-template").replace("{n}", chosen);
  };
  form.addEventListener("change", function (event) {
    const kind = event.target.getAttribute("data-kind-toggle");
    if (kind) {
      agencyBoxes(kind).forEach(function (box) { box.checked = event.target.checked; });
    }
    updateCount();
  });
  const search = form.querySelector("[data-agency-search]");
  if (search) {
    search.addEventListener("input", function () {
      const wanted = fold(search.value);
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
  const button = event.target.closest("[data-copy]");
  if (!button) { return; }
  const area = document.getElementById(button.getAttribute("data-copy"));
  if (!area) { return; }
  const showFallback = function () {
    const box = area.closest("details");
    if (box) { box.open = true; }
    const hint = box && box.querySelector("[data-copy-hint]");
    if (hint) { hint.hidden = false; }
    area.focus();
    area.select();
  };
  const done = function () {
    const label = button.textContent;
    button.textContent = button.getAttribute("data-copied");
    window.setTimeout(function () { button.textContent = label; }, 2000);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(area.value).then(done, showFallback);
  } else {
    showFallback();
  }
});
