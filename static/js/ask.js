// The attendee's questions page: a length counter, sending and voting through the API, and the
// list kept current. Without this script the page still works with its plain forms.
import { askerLine } from "./questions.js";
import { errorText, poll, say, send, setField, show, syncList } from "./shared.js";

const form = document.getElementById("ask-form");
const list = document.querySelector("[data-question-list]");
if (form && list) { start(form, list); }

function start(form, list) {
  const textarea = form.querySelector("textarea[name=text]");
  const counter = document.getElementById(textarea.getAttribute("data-counter"));
  const message = form.querySelector("[data-form-message]");
  const listMessage = document.querySelector("[data-list-message]");

  function count() { counter.textContent = String(textarea.value.length); }
  textarea.addEventListener("input", count);
  count();

  const template = document.getElementById("question-template");
  const empty = document.querySelector("[data-empty]");
  const placeholder = "/999999999";  // the id in the URLs the page was given

  function setVoted(node, voted) {
    const button = node.querySelector("button.vote");
    button.classList.toggle("voted", voted);
    button.disabled = voted;
    button.setAttribute("aria-pressed", voted ? "true" : "false");
    setField(node, "vote_label", list.getAttribute(voted ? "data-voted-label" : "data-vote-label"));
  }

  function fill(node, question) {
    node.id = "q-" + question.id;
    node.classList.toggle("is-current", question.answering_now);
    setField(node, "text", question.text);
    setField(node, "asker", askerLine(question, list.getAttribute("data-anonymous")));
    setField(node, "answer", question.answer || "");
    setField(node, "answered_by", question.answered_by ? ": " + question.answered_by : "");
    show(node, "answer", !!question.answer);
    show(node, "answering_now", question.answering_now);
    setField(node, "votes", String(question.votes));
    setVoted(node, !!question.voted);
    const action = list.getAttribute("data-vote-action").replace(placeholder, "/" + question.id);
    node.querySelector("form").setAttribute("action", action);
  }

  const poller = poll(list.getAttribute("data-feed"), function (data) {
    syncList(list, data.items, template, fill, false);
    empty.hidden = data.items.length > 0;
  });

  // Before a question is sent, the shown questions of the session like it: the attendee may vote
  // for one of them instead. Each text is checked once; "send anyway" sends it as it is.
  const similarBox = form.querySelector("[data-similar]");
  const similarList = form.querySelector("[data-similar-list]");
  const similarTemplate = document.getElementById("similar-template");
  let checked = null;  // the text last checked for similar questions

  function hideSimilar() {
    similarBox.hidden = true;
    similarList.textContent = "";
  }

  function showSimilar(items) {
    similarList.textContent = "";
    items.forEach(function (question) {
      const node = similarTemplate.content.firstElementChild.cloneNode(true);
      node.setAttribute("data-id", String(question.id));
      setField(node, "text", question.text);
      setField(node, "votes", String(question.votes));
      const button = node.querySelector("[data-vote-for]");
      if (question.voted) {
        button.disabled = true;
        setField(node, "vote_label", list.getAttribute("data-voted-label"));
      }
      similarList.appendChild(node);
    });
    similarBox.hidden = false;
    similarBox.querySelector("[data-send-anyway]").focus();
  }

  // Resolves to the similar questions of `text`, or none when they cannot be had (offline,
  // too many calls): the question is then sent as before.
  function similarTo(text) {
    const url = new URL(form.getAttribute("data-similar-api"), window.location.href);
    url.searchParams.set("text", text);
    return send("GET", url.pathname + url.search).then(function (answer) {
      return answer.ok ? answer.body.items : [];
    }).catch(function () { return []; });
  }

  textarea.addEventListener("input", function () {
    if (!similarBox.hidden && textarea.value.trim() !== checked) { hideSimilar(); }
  });

  similarBox.addEventListener("click", function (event) {
    // Both are submit buttons of the page without scripts: here the API does their work.
    if (event.target.closest("[data-send-anyway]")) {
      event.preventDefault();
      hideSimilar();
      sendQuestion();
      return;
    }
    const button = event.target.closest("[data-vote-for]");
    if (!button) { return; }
    event.preventDefault();
    const id = button.closest("[data-id]").getAttribute("data-id");
    button.disabled = true;
    const url = list.getAttribute("data-vote-api").replace(placeholder, "/" + id);
    send("POST", url).then(function (answer) {
      if (!answer.ok) {
        button.disabled = false;
        say(message, errorText(answer.body, list.getAttribute("data-vote-failed")), "error");
        return;
      }
      hideSimilar();
      textarea.value = "";
      checked = null;
      count();
      say(message, form.getAttribute("data-voted-similar"), "ok");
      poller.refresh();
    }).catch(function () {
      button.disabled = false;
      say(message, list.getAttribute("data-vote-failed"), "error");
    });
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const text = textarea.value.trim();
    if (!text || text === checked || !form.getAttribute("data-similar-api")) {
      sendQuestion();
      return;
    }
    const button = form.querySelector("[data-send]");
    button.disabled = true;
    similarTo(text).then(function (items) {
      button.disabled = false;
      checked = text;
      if (items.length) { showSimilar(items); } else { sendQuestion(); }
    });
  });

  function sendQuestion() {
    const button = form.querySelector("[data-send]");
    const anonymous = form.querySelector("input[name=anonymous]");
    button.disabled = true;
    send("POST", form.getAttribute("data-api"), {
      session_id: Number(form.elements.session_id.value),
      text: textarea.value,
      anonymous: !!(anonymous && anonymous.checked)
    }).then(function (answer) {
      if (answer.status === 201) {
        textarea.value = "";
        checked = null;
        count();
        form.querySelectorAll("small.error").forEach(function (element) { element.remove(); });
        say(message, form.getAttribute(answer.body.status === "pending" ? "data-sent-pending" : "data-sent"), "ok");
        poller.refresh();
      } else {
        // 422: the length or the anonymous rule; 429: too many in a minute. The API says why.
        say(message, errorText(answer.body, form.getAttribute("data-failed")), "error");
      }
    }).catch(function () {
      say(message, form.getAttribute("data-offline"), "error");
    }).then(function () {
      button.disabled = false;
    });
  }

  list.addEventListener("submit", function (event) {
    const node = event.target.closest("[data-id]");
    if (!node) { return; }
    event.preventDefault();
    const id = node.getAttribute("data-id");
    setVoted(node, true);
    const url = list.getAttribute("data-vote-api").replace(placeholder, "/" + id);
    send("POST", url).then(function (answer) {
      if (!answer.ok) {
        setVoted(node, false);
        say(listMessage, errorText(answer.body, list.getAttribute("data-vote-failed")), "error");
        return;
      }
      say(listMessage, "", "ok");
      setField(node, "votes", String(answer.body.votes));
      poller.refresh();
    }).catch(function () {
      setVoted(node, false);
      say(listMessage, list.getAttribute("data-vote-failed"), "error");
    });
  });
}
