// The chair's console: the queue kept current without moving under the mouse, the selected
// question with its actions (through the JSON API), and keyboard shortcuts.
import { askerLine } from "./questions.js";
import { errorText, poll, say, send, setField, show, syncList } from "./shared.js";

const root = document.querySelector("[data-console]");
if (root) { start(root); }

function start(root) {
  const queue = root.querySelector("[data-queue]");
  const template = document.getElementById("queue-template");
  const empty = root.querySelector("[data-empty]");
  const detail = root.querySelector("[data-detail]");
  const detailEmpty = root.querySelector("[data-detail-empty]");
  const message = root.querySelector("[data-detail-message]");
  const forms = {
    assign: root.querySelector('[data-form="assign"]'),
    merge: root.querySelector('[data-form="merge"]'),
    answer: root.querySelector('[data-form="answer"]')
  };
  const officials = document.getElementById("officials");
  const similarBox = root.querySelector("[data-similar]");
  const similarList = root.querySelector("[data-similar-list]");
  const similarTemplate = document.getElementById("similar-template");
  const placeholder = "/" + root.getAttribute("data-placeholder");
  const STATES = ["pending", "visible", "answered", "hidden"];

  let state = root.getAttribute("data-state");
  let order = root.getAttribute("data-order");
  let selected = Number(root.getAttribute("data-selected")) || null;
  let items = [];
  let byId = {};
  let filledFor = null;      // the question whose answer and assignee the inputs were filled with
  let mergeChoices = "";
  let pointerInside = false;

  function text(name) { return root.getAttribute("data-" + name); }
  function urlFor(name, id) { return text(name + "-url").replace(placeholder, "/" + id); }

  // This page's address with its filters and a selected question (kept on reload).
  function linkFor(id) {
    const url = new URL(window.location.href);
    url.searchParams.set("state", state);
    url.searchParams.set("order", order);
    if (id) { url.searchParams.set("q", id); } else { url.searchParams.delete("q"); }
    return url.pathname + url.search;
  }

  function setQuery() { window.history.replaceState(null, "", linkFor(selected)); }

  function feedUrl() {
    const url = new URL(text("feed"), window.location.href);
    url.searchParams.set("order", order);
    return url.pathname + url.search;
  }

  function fill(node, question) {
    STATES.forEach(function (name) { node.classList.toggle("state-" + name, question.state === name); });
    node.classList.toggle("is-current", question.answering_now);
    node.classList.toggle("is-selected", question.id === selected);
    node.setAttribute("data-state", question.state);
    node.querySelector("a").setAttribute("href", linkFor(question.id));
    setField(node, "votes", String(question.votes));
    setField(node, "text", question.text);
    setField(node, "time", (question.created_at || "").substring(11, 16));
    setField(node, "asker", askerLine(question, text("anonymous")));
    setField(node, "state_label", question.state_label);
    show(node, "answering_now", question.answering_now);
    show(node, "similar", suggestions(question).length > 0);
  }

  // The shown questions like this one (worked out by the server), still in the queue.
  function suggestions(question) {
    return (question.similar || []).filter(function (other) { return !!byId[other.id]; });
  }

  function fillSimilar(node, other, index) {
    setField(node, "text", other.text);
    setField(node, "votes_label", text("similar-votes").replace("{n}", other.votes));
    setField(node, "key", index === 0 ? text("similar-key") : "");
    node.querySelector("[data-merge-into]").setAttribute("data-merge-into", String(other.id));
  }

  function renderSimilar(question) {
    const alike = suggestions(question);
    similarBox.hidden = alike.length === 0;
    const ids = alike.map(function (other) { return String(other.id); }).join(",");
    if (similarList.getAttribute("data-ids") === ids) { return; }
    similarList.setAttribute("data-ids", ids);
    similarList.textContent = "";
    alike.forEach(function (other, index) {
      const node = similarTemplate.content.firstElementChild.cloneNode(true);
      fillSimilar(node, other, index);
      similarList.appendChild(node);
    });
  }

  function shown() {
    return items.filter(function (question) { return state === "all" || question.state === state; });
  }

  // The node that must stay where it is on screen: the selected one if in view, else the
  // first one in view.
  function anchor() {
    const box = queue.getBoundingClientRect();
    const nodes = Array.prototype.slice.call(queue.children);
    let chosen = queue.querySelector(".is-selected");
    const inView = function (node) {
      const r = node.getBoundingClientRect();
      return r.bottom > box.top && r.top < box.bottom;
    };
    if (!chosen || !inView(chosen)) { chosen = nodes.filter(inView)[0]; }
    return chosen ? { node: chosen, top: chosen.getBoundingClientRect().top } : null;
  }

  function render(frozen) {
    const kept = anchor();
    syncList(queue, shown(), template, fill, frozen);
    if (kept && kept.node.parentNode === queue) {
      queue.scrollTop += kept.node.getBoundingClientRect().top - kept.top;
    }
    empty.hidden = shown().length > 0;
    root.querySelectorAll("[data-state-filter]").forEach(function (link) {
      const current = link.getAttribute("data-state-filter") === state;
      if (current) { link.setAttribute("aria-current", "true"); } else { link.removeAttribute("aria-current"); }
    });
    root.querySelectorAll("a[data-order]").forEach(function (link) {
      if (link.getAttribute("data-order") === order) { link.setAttribute("aria-current", "true"); }
      else { link.removeAttribute("aria-current"); }
    });
    renderDetail();
  }

  function renderDetail() {
    const question = byId[selected];
    detail.hidden = !question;
    detailEmpty.hidden = !!question;
    if (!question) { return; }
    setField(detail, "text", question.text);
    setField(detail, "time", (question.created_at || "").substring(11, 16));
    setField(detail, "asker", askerLine(question, text("anonymous")));
    setField(detail, "state_label", question.state_label);
    const votes = detail.querySelector('[data-field="votes_label"]');
    setField(detail, "votes_label", votes.getAttribute("data-template").replace("{n}", question.votes));
    show(detail, "answering_now", question.answering_now);
    setField(detail, "assigned_to", question.assigned_to || "");
    show(detail, "assigned_to", !!question.assigned_to);
    setField(detail, "answer", question.answer || "");
    setField(detail, "answered_by", question.answered_by ? ": " + question.answered_by : "");
    show(detail, "answer", !!question.answer);
    renderSimilar(question);

    const approve = detail.querySelector('[data-action="approve"]');
    approve.textContent = text(question.status === "hidden" ? "show-again" : "approve");
    approve.disabled = question.status === "visible";
    detail.querySelector('[data-action="hide"]').disabled = question.status === "hidden";
    detail.querySelector('[data-action="current"]').textContent =
      text(question.answering_now ? "current-off" : "current-on");

    // The other questions of the session, to merge into; left alone while the chair uses it.
    const mergeInto = forms.merge.elements.into;
    const others = items.filter(function (other) { return other.id !== question.id; });
    const choices = others.map(function (other) { return other.id + ":" + other.text; }).join("\n");
    if (choices !== mergeChoices && document.activeElement !== mergeInto) {
      mergeChoices = choices;
      while (mergeInto.options.length > 1) { mergeInto.remove(1); }
      others.forEach(function (other) {
        const label = "#" + other.id + " (" + other.votes + ") " + other.text;
        mergeInto.add(new Option(label.length > 90 ? label.substring(0, 89) + "…" : label, other.id));
      });
    }
    // What the chair types is never overwritten by an update: inputs are filled on selection.
    if (filledFor !== question.id) {
      filledFor = question.id;
      forms.assign.elements.assigned_to.value = question.assigned_to || "";
      forms.answer.elements.answer.value = question.answer || "";
      forms.answer.elements.answered_by.value = question.answered_by || question.assigned_to || "";
      say(message, "", "ok");
    }
  }

  function select(id, scroll) {
    selected = id;
    queue.querySelectorAll(".is-selected").forEach(function (node) { node.classList.remove("is-selected"); });
    const node = queue.querySelector('[data-id="' + id + '"]');
    if (node) {
      node.classList.add("is-selected");
      if (scroll) { node.scrollIntoView({ block: "nearest" }); }
    }
    setQuery();
    renderDetail();
  }

  function move(step) {
    const nodes = Array.prototype.slice.call(queue.children);
    if (!nodes.length) { return; }
    const at = nodes.indexOf(queue.querySelector(".is-selected"));
    const next = at < 0 ? (step > 0 ? 0 : nodes.length - 1) : Math.min(nodes.length - 1, Math.max(0, at + step));
    select(Number(nodes[next].getAttribute("data-id")), true);
  }

  function remember(name) {
    if (!name) { return; }
    const known = Array.prototype.some.call(officials.options, function (option) { return option.value === name; });
    if (!known) { officials.appendChild(new Option(name, name)); }
  }

  function act(method, url, body) {
    return send(method, url, body).then(function (answer) {
      if (answer.ok) {
        say(message, text("done"), "ok");
        poller.refresh();
      } else {
        say(message, errorText(answer.body, text("failed")), "error");
      }
      return answer.ok;
    }).catch(function () {
      say(message, text("failed"), "error");
      return false;
    });
  }

  const actions = {
    approve: function (question) {
      if (question.status !== "visible") { act("PATCH", urlFor("status", question.id), { status: "visible" }); }
    },
    hide: function (question) {
      if (question.status !== "hidden") { act("PATCH", urlFor("status", question.id), { status: "hidden" }); }
    },
    current: function (question) {
      act("POST", text("current-url"), { question_id: question.answering_now ? null : question.id });
    }
  };

  function run(name) {
    const question = byId[selected];
    if (question) { actions[name](question); }
  }

  detail.addEventListener("click", function (event) {
    const button = event.target.closest("[data-action]");
    if (button) { run(button.getAttribute("data-action")); }
  });

  forms.assign.addEventListener("submit", function (event) {
    event.preventDefault();
    const name = forms.assign.elements.assigned_to.value.trim();
    act("POST", urlFor("assign", selected), { assigned_to: name }).then(function (ok) {
      if (ok) { remember(name); }
    });
  });

  // `suggested`: the similar question offered (its button or the `d` key), named in the
  // confirmation; without it, the question chosen in the list.
  function mergeInto(into, suggested) {
    if (!into || !selected) { return; }
    const question = suggested
      ? text("confirm-merge-similar").replace("{text}", suggested.text)
      : text("confirm-merge");
    if (!window.confirm(question)) { return; }
    const duplicate = selected;
    act("POST", urlFor("merge", duplicate), { into: into }).then(function (ok) {
      if (ok) { select(into, true); }
    });
  }

  forms.merge.addEventListener("submit", function (event) {
    event.preventDefault();
    mergeInto(Number(forms.merge.elements.into.value));
  });

  similarList.addEventListener("click", function (event) {
    const button = event.target.closest("[data-merge-into]");
    if (!button) { return; }
    const into = Number(button.getAttribute("data-merge-into"));
    const alike = byId[selected] ? suggestions(byId[selected]) : [];
    mergeInto(into, alike.find(function (other) { return other.id === into; }));
  });

  forms.answer.addEventListener("submit", function (event) {
    event.preventDefault();
    const by = forms.answer.elements.answered_by.value.trim();
    act("POST", urlFor("answer", selected), {
      answer: forms.answer.elements.answer.value, answered_by: by || null
    }).then(function (ok) {
      if (ok) { remember(by); }
    });
  });

  queue.addEventListener("click", function (event) {
    const node = event.target.closest("[data-id]");
    if (!node || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    event.preventDefault();
    select(Number(node.getAttribute("data-id")), false);
  });

  // Nothing reorders under the mouse: while the pointer is over the queue, questions keep their
  // places (new ones slide in beside them); the order catches up when it leaves.
  queue.addEventListener("mouseenter", function () { pointerInside = true; });
  queue.addEventListener("mouseleave", function () { pointerInside = false; render(false); });

  root.querySelectorAll("[data-state-filter]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      state = link.getAttribute("data-state-filter");
      setQuery();
      render(false);
    });
  });
  root.querySelectorAll("a[data-order]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      order = link.getAttribute("data-order");
      setQuery();
      poller.setUrl(feedUrl());
    });
  });

  const keys = {
    j: function () { move(1); },
    k: function () { move(-1); },
    a: function () { run("approve"); },
    h: function () { run("hide"); },
    n: function () { run("current"); },
    g: function () { forms.assign.elements.assigned_to.focus(); },
    m: function () { forms.merge.elements.into.focus(); },
    d: function () {
      const alike = byId[selected] ? suggestions(byId[selected]) : [];
      if (alike.length) { mergeInto(alike[0].id, alike[0]); }
    },
    r: function () { forms.answer.elements.answer.focus(); }
  };
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    const target = event.target;
    const typing = target.closest && target.closest("input, textarea, select, [contenteditable]");
    if (typing) {
      if (event.key === "Escape") { target.blur(); }
      return;
    }
    const key = keys[event.key];
    if (!key || (detail.hidden && "jk".indexOf(event.key) < 0)) { return; }
    event.preventDefault();
    key();
  });

  const poller = poll(feedUrl(), function (data) {
    items = data.items;
    byId = {};
    items.forEach(function (question) { byId[question.id] = question; });
    root.querySelector('[data-count="all"]').textContent = String(items.length);
    Object.keys(data.counts).forEach(function (name) {
      const badge = root.querySelector('[data-count="' + name + '"]');
      if (badge) { badge.textContent = String(data.counts[name]); }
    });
    render(pointerInside);
  });
}
