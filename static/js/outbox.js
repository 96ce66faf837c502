// The bulk-send progress page: polls the batch's JSON every few seconds until it is done.
// The batch is in the URL, so a reload simply starts polling again.
import { element, poll } from "./shared.js";

const box = document.querySelector("[data-progress-url]");
if (box) { start(box); }

function start(box) {
  const labels = { failed: box.getAttribute("data-label-failed"), retry: box.getAttribute("data-label-retry") };
  const bar = box.querySelector("[data-progress-bar]");
  const failuresBody = document.querySelector("[data-failures]");
  const noFailures = document.querySelector("[data-no-failures]");

  function setCount(name, value) {
    const count = box.querySelector('[data-count="' + name + '"]');
    if (count) { count.textContent = String(value); }
  }

  function showFailures(failures) {
    failuresBody.textContent = "";
    failures.forEach(function (failure) {
      const row = element("tr", failure.status === "failed" ? "bad" : null);
      [failure.name, failure.email, failure.status === "failed" ? labels.failed : labels.retry,
       failure.error].forEach(function (text) { row.appendChild(element("td", null, text || "")); });
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
    if (data.done) { poller.stop(); }
  }

  const poller = poll(box.getAttribute("data-progress-url"), show, { every: 3000 });
}
