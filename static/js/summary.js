// The summary page: the conclusions edited in place (the print button is app.js's).
const view = document.querySelector("[data-conclusions-view]");
const form = document.querySelector("[data-conclusions-form]");
if (view && form) { editInPlace(view, form); }

function editInPlace(view, form) {
  const textarea = form.querySelector("textarea");
  const saved = textarea.value;
  let submitting = false;

  // With conclusions already written, show them as text with an "edit" button; the form opens
  // in their place. Without JS, or after a refused save, the form simply stays open.
  if (view.textContent.trim() && !form.hasAttribute("data-open")) {
    const edit = document.createElement("button");
    edit.type = "button";
    edit.className = "btn";
    edit.textContent = form.getAttribute("data-edit-label");
    form.hidden = true;
    view.insertAdjacentElement("afterend", edit);
    edit.addEventListener("click", function () {
      view.hidden = true;
      edit.hidden = true;
      form.hidden = false;
      textarea.focus();
    });
  } else {
    view.hidden = !view.textContent.trim() || form.hasAttribute("data-open");
  }

  form.addEventListener("submit", function () { submitting = true; });
  window.addEventListener("beforeunload", function (event) {
    if (!submitting && textarea.value !== saved) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
}
