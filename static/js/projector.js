// The projector: the question being answered and the next ones, kept current by polling.
(function () {
  "use strict";
  var root = document.querySelector("[data-screen]");
  if (!root || !window.fetch || !window.Live) { return; }
  var Live = window.Live;
  var current = root.querySelector("[data-current]");
  var idle = root.querySelector("[data-idle]");
  var next = root.querySelector("[data-next]");
  var none = root.querySelector("[data-none]");
  var template = document.getElementById("screen-template");
  var anonymous = root.getAttribute("data-anonymous");
  var SIZES = ["size-s", "size-m", "size-l"];

  function fill(node, question) {
    Live.setField(node, "votes", String(question.votes));
    Live.setField(node, "text", question.text);
    Live.setField(node, "agency", Live.agency(question, anonymous));
  }

  Live.poll(root.getAttribute("data-feed"), function (data) {
    Live.setField(root.querySelector(".screen-head"), "session", data.session ? data.session.title : "");
    var question = data.current;
    current.hidden = !question;
    idle.hidden = !!question;
    if (question) {
      var words = current.querySelector('[data-field="text"]');
      SIZES.forEach(function (size) { words.classList.toggle(size, size === "size-" + question.size); });
      fill(current, question);
    }
    Live.syncList(next, data.next, template, fill, false);
    none.hidden = data.next.length > 0;
  });
})();
