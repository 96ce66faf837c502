// A guest who came without an invitation: the walk-in form registers and checks them in at
// once (online only: there is no pass to queue).
import { apiFetch, byId } from "../shared.js";

// options: url, words, showResult(answer), done(scan, answer) after a check-in.
export function setupWalkIn(options) {
  const form = byId("walk-in-form");
  const message = byId("walk-in-message");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    message.textContent = "";
    apiFetch(options.url, { method: "POST", body: new FormData(form) })
      .then(function (response) {
        return response.json().then(function (body) {
          if (response.status === 422) {
            message.textContent = body.error.fields.map(function (field) { return field.message; }).join(" ");
            return;
          }
          if (response.status === 409 && body.result) { options.showResult(body); return; }
          if (!response.ok) { throw new Error("walk-in"); }
          form.reset();
          options.done({ scanned_at: new Date().toISOString() }, body);
          options.showResult(body);
        });
      })
      .catch(function () { message.textContent = options.words.walk_in_offline; })
      .then(function () { button.disabled = false; });
  });
}
