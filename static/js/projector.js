// The projector: the question being answered and the next ones, kept current by polling.
import { agency } from "./questions.js";
import { poll, setField, syncList } from "./shared.js";

const root = document.querySelector("[data-screen]");
if (root) { start(root); }

function start(root) {
  const current = root.querySelector("[data-current]");
  const idle = root.querySelector("[data-idle]");
  const next = root.querySelector("[data-next]");
  const none = root.querySelector("[data-none]");
  const template = document.getElementById("screen-template");
  const anonymous = root.getAttribute("data-anonymous");
  const SIZES = ["size-s", "size-m", "size-l"];

  function fill(node, question) {
    setField(node, "votes", String(question.votes));
    setField(node, "text", question.text);
    setField(node, "agency", agency(question, anonymous));
  }

  poll(root.getAttribute("data-feed"), function (data) {
    setField(root.querySelector(".screen-head"), "session", data.session ? data.session.title : "");
    const question = data.current;
    current.hidden = !question;
    idle.hidden = !!question;
    if (question) {
      const words = current.querySelector('[data-field="text"]');
      SIZES.forEach(function (size) { words.classList.toggle(size, size === "size-" + question.size); });
      fill(current, question);
    }
    syncList(next, data.next, template, fill, false);
    none.hidden = data.next.length > 0;
  });
}
