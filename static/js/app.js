// Small behaviours of every page (base.html loads this module): no framework, no inline
// script (the CSP forbids it).

// <form data-confirm="..."> asks before submitting.
document.addEventListener("submit", function (event) {
  const message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) { event.preventDefault(); }
});

// <select data-autosubmit> submits its form on change (filters).
document.addEventListener("change", function (event) {
  if (event.target.hasAttribute("data-autosubmit")) { event.target.form.submit(); }
});

// [data-print] buttons print the page (letters, the sign-in sheet, the poster, the A4 pages).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) { window.print(); }
});
