// Small behaviours shared by every page; no framework, no inline script (CSP).
(function () {
  "use strict";
  // <form data-confirm="..."> asks before submitting.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
  // <select data-autosubmit> submits its form on change (filters).
  document.addEventListener("change", function (event) {
    if (event.target.hasAttribute("data-autosubmit")) { event.target.form.submit(); }
  });
  // fetch() with the page's CSRF token, for pages that call the JSON API with the session.
  window.apiFetch = function (url, options) {
    options = options || {};
    options.headers = Object.assign({ "Accept": "application/json" }, options.headers || {});
    var token = document.querySelector('meta[name="csrf-token"]');
    if (token) { options.headers["X-CSRFToken"] = token.content; }
    options.credentials = "same-origin";
    return fetch(url, options);
  };
})();
