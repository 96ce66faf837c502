// Live pages (questions on the phones, the chair's console, the projector): poll a JSON feed
// with If-None-Match every ~2 s, back off to ~10 s while the network fails, pause while the tab
// is hidden, and apply what changed without reloading. A 304 costs the server one small read.
(function () {
  "use strict";
  var FAST = 2000;
  var SLOW = 10000;

  // Keep `url` current: onData(json) is called with every new answer (never for a 304).
  function poll(url, onData) {
    var etag = null;
    var timer = null;
    var failures = 0;
    var busy = false;
    var again = false;
    var generation = 0;
    var status = document.querySelector("[data-live-status]");

    function showStatus(kind) {
      if (!status) { return; }
      status.hidden = !kind;
      if (kind) { status.textContent = status.getAttribute("data-" + kind) || status.getAttribute("data-lost"); }
    }

    function schedule() {
      window.clearTimeout(timer);
      if (document.hidden) { return; }
      // 2 s while all is well; 4, 8, then 10 s after failures in a row.
      var delay = failures ? Math.min(SLOW, FAST * Math.pow(2, failures)) : FAST;
      timer = window.setTimeout(tick, delay);
    }

    function tick() {
      window.clearTimeout(timer);
      if (busy) { again = true; return; }
      busy = true;
      var mine = generation;
      var headers = { "Accept": "application/json" };
      if (etag) { headers["If-None-Match"] = etag; }
      fetch(url, { headers: headers, credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (response.status === 304) { return null; }
          var type = response.headers.get("Content-Type") || "";
          if (response.redirected || type.indexOf("json") < 0) {
            var error = new Error("signed out");
            error.kind = "signed-out";
            throw error;
          }
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json().then(function (data) {
            return { data: data, etag: response.headers.get("ETag") };
          });
        })
        .then(function (answer) {
          failures = 0;
          showStatus(null);
          if (answer && mine === generation) {
            etag = answer.etag;
            onData(answer.data);
          }
        })
        .catch(function (error) {
          failures += 1;
          if (error.kind || failures >= 2) { showStatus(error.kind || "lost"); }
          if (!(error instanceof TypeError) && !error.kind) { window.console.error(error); }
        })
        .then(function () {
          busy = false;
          if (again) { again = false; tick(); } else { schedule(); }
        });
    }

    document.addEventListener("visibilitychange", function () {
      if (document.hidden) { window.clearTimeout(timer); } else { tick(); }
    });
    window.addEventListener("online", function () { failures = 0; tick(); });
    tick();
    return {
      // Ask now (after an action of this page), rather than at the next tick.
      refresh: tick,
      setUrl: function (next) { url = next; etag = null; generation += 1; tick(); }
    };
  }

  // Make the children of `list` (each with data-id) follow `items`, reusing the node of each
  // question so that nothing is re-created under the reader's eyes. New nodes are clones of
  // `template` filled by fill(node, item). With `frozen`, nodes already there keep their place
  // (the pointer is over the list) and new ones go after the item that precedes them.
  function syncList(list, items, template, fill, frozen) {
    var nodes = {};
    var kept = {};
    var previous = null;
    Array.prototype.forEach.call(list.children, function (node) {
      nodes[node.getAttribute("data-id")] = node;
    });
    items.forEach(function (item) {
      var key = String(item.id);
      var node = nodes[key];
      var fresh = !node;
      if (fresh) {
        node = template.content.firstElementChild.cloneNode(true);
        node.setAttribute("data-id", key);
        node.classList.add("is-new");
        window.setTimeout(function () { node.classList.remove("is-new"); }, 2500);
      }
      fill(node, item);
      kept[key] = true;
      if (fresh || !frozen) {
        var wanted = previous ? previous.nextElementSibling : list.firstElementChild;
        if (wanted !== node) { list.insertBefore(node, wanted); }
      }
      previous = node;
    });
    Object.keys(nodes).forEach(function (key) {
      if (!kept[key]) { list.removeChild(nodes[key]); }
    });
  }

  // Text only, and only when it changed (no flicker, no lost selection).
  function setField(node, name, text) {
    node.querySelectorAll('[data-field="' + name + '"]').forEach(function (element) {
      if (element.textContent !== text) { element.textContent = text; }
    });
  }

  function show(node, name, visible) {
    node.querySelectorAll('[data-show="' + name + '"]').forEach(function (element) {
      element.hidden = !visible;
    });
  }

  // "Name, title – agency", as the pages' template writes it.
  function askerLine(question, anonymousLabel) {
    if (question.anonymous) { return anonymousLabel; }
    var asker = question.asker;
    if (!asker) { return ""; }
    return asker.name + (asker.title ? ", " + asker.title : "") +
      (asker.organization ? " – " + asker.organization : "");
  }

  function agency(question, anonymousLabel) {
    if (question.anonymous) { return anonymousLabel; }
    return question.asker ? (question.asker.organization || question.asker.name) : "";
  }

  // The API's error in words for the user: the field messages of a 422, else its message.
  function errorText(body, fallback) {
    var error = (body && body.error) || {};
    var fields = (error.fields || []).map(function (field) { return field.message; });
    return fields.length ? fields.join(" ") : (error.message || fallback);
  }

  // fetch() with the page's CSRF token and a JSON body; resolves to {ok, status, body}, and
  // rejects only when the network failed.
  function send(method, url, body) {
    var options = { method: method, headers: { "Content-Type": "application/json" } };
    if (body !== undefined) { options.body = JSON.stringify(body); }
    return window.apiFetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, body: data };
      });
    });
  }

  window.Live = {
    poll: poll, syncList: syncList, setField: setField, show: show, askerLine: askerLine,
    agency: agency, errorText: errorText, send: send
  };
})();
