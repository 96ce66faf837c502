// The bulk-send progress page: polls the batch's JSON every few seconds until it is done.
// The batch is in the URL, so a reload simply starts polling again.
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box) { return; }
  var script = document.currentScript || document.querySelector("script[data-label-failed]");
  var labels = { failed: script.getAttribute("data-label-failed"), retry: script.getAttribute("data-label-retry") };
  var bar = box.querySelector("[data-progress-bar]");
  var failuresBody = document.querySelector("[data-failures]");
  var noFailures = document.querySelector("[data-no-failures]");
  var INTERVAL = 3000;

  function setCount(name, value) {
    var element = box.querySelector('[data-count="' + name + '"]');
    if (element) { element.textContent = String(value); }
  }

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text || "";
    row.appendChild(td);
  }

  function showFailures(failures) {
    failuresBody.textContent = "";
    failures.forEach(function (failure) {
      var row = document.createElement("tr");
      if (failure.status === "failed") { row.className = "bad"; }
      cell(row, failure.name);
      cell(row, failure.email);
      cell(row, failure.status === "failed" ? labels.failed : labels.retry);
      cell(row, failure.error);
      failuresBody.appendChild(row);
    });
    noFailures.hidden = failures.length > 0;
  }

  function show(data) {
    bar.max = data.total;
    bar.value = data.sent + data.failed;
    bar.textContent = (data.sent + data.failed) + "/" + data.total;
    setCount("sent", data.sent);
    setCount("total", data.total);
    setCount("failed", data.failed);
    setCount("waiting", data.queued + data.sending);
    showFailures(data.failures);
    box.querySelector("[data-done-message]").hidden = !data.done;
    box.querySelector("[data-waiting-message]").hidden = data.done;
    box.querySelector("[data-deliver-button]").disabled = data.done;
  }

  function poll() {
    fetch(box.getAttribute("data-progress-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data) { show(data); }
        if (!data || !data.done) { window.setTimeout(poll, INTERVAL); }
      })
      .catch(function () { window.setTimeout(poll, INTERVAL * 2); });  // offline for a moment: keep trying
  }
  poll();
})();
