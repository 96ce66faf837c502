// What every page's script uses: fetch with the page's CSRF token and the API's errors in
// words, one polling loop (ETag, back-off, pause while hidden), and small DOM helpers.
// An ES module: a page's script imports what it needs (`import { poll } from "./shared.js"`).
// Nothing here runs on import, so node can import it too (static/js/tests/).

// ---- talking to the server --------------------------------------------------------------

// fetch() with the page's CSRF token, for pages that call the JSON API with the session.
export function apiFetch(url, options) {
  options = Object.assign({}, options);
  options.headers = Object.assign({ "Accept": "application/json" }, options.headers || {});
  const token = document.querySelector('meta[name="csrf-token"]');
  if (token) { options.headers["X-CSRFToken"] = token.content; }
  options.credentials = "same-origin";
  return fetch(url, options);
}

// A JSON body sent with apiFetch; resolves to {ok, status, body}, and rejects only when the
// network failed.
export function send(method, url, body) {
  const options = { method: method, headers: { "Content-Type": "application/json" } };
  if (body !== undefined) { options.body = JSON.stringify(body); }
  return apiFetch(url, options).then(function (response) {
    return response.json().catch(function () { return {}; }).then(function (data) {
      return { ok: response.ok, status: response.status, body: data };
    });
  });
}

// The API's error in words for the user: the field messages of a 422, else its message.
export function errorText(body, fallback) {
  const error = (body && body.error) || {};
  const fields = (error.fields || []).map(function (field) { return field.message; });
  return fields.length ? fields.join(" ") : (error.message || fallback);
}

// ---- polling ----------------------------------------------------------------------------

const SLOW = 10000;

// The [data-live-status] line of the live pages: "connection lost", "signed out".
function liveStatus(kind) {
  const status = document.querySelector("[data-live-status]");
  if (!status) { return; }
  status.hidden = !kind;
  if (kind) { status.textContent = status.getAttribute("data-" + kind) || status.getAttribute("data-lost"); }
}

// Keep `url` current: onData(json) is called with every new answer (never for a 304). Asks
// every `every` ms (2 s) with If-None-Match, so that an unchanged answer costs the server one
// small read; after failures in a row waits twice as long each time, up to 10 s; pauses while
// the tab is hidden and asks at once when it shows again or the network comes back.
// options: every (ms), wait (ms before the first ask; 0 asks at once), status(kind) told
// null when all is well, "lost" after two failures, "signed-out" when the sign-in lapsed
// (the [data-live-status] line by default).
export function poll(url, onData, options) {
  options = options || {};
  let every = options.every || 2000;
  const status = options.status || liveStatus;
  let etag = null;
  let timer = null;
  let failures = 0;
  let busy = false;
  let again = false;
  let stopped = false;
  let generation = 0;

  function schedule(delay) {
    window.clearTimeout(timer);
    if (document.hidden || stopped) { return; }
    if (delay === undefined) {
      delay = failures ? Math.min(Math.max(SLOW, every), every * Math.pow(2, failures)) : every;
    }
    timer = window.setTimeout(tick, delay);
  }

  function tick() {
    window.clearTimeout(timer);
    if (stopped) { return; }
    if (busy) { again = true; return; }
    busy = true;
    const mine = generation;
    const headers = { "Accept": "application/json" };
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(url, { headers: headers, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status === 304) { return null; }
        const type = response.headers.get("Content-Type") || "";
        if (response.redirected || type.indexOf("json") < 0) {
          const error = new Error("signed out");
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
        status(null);
        if (answer && mine === generation) {
          etag = answer.etag;
          onData(answer.data);
        }
      })
      .catch(function (error) {
        failures += 1;
        if (error.kind || failures >= 2) { status(error.kind || "lost"); }
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
  if (options.wait) { schedule(options.wait); } else { tick(); }
  return {
    // Ask now (after an action of this page), rather than at the next tick.
    refresh: tick,
    setUrl: function (next) { url = next; etag = null; generation += 1; tick(); },
    // Ask every `ms` from now on (the poster learns it from its answer).
    setEvery: function (ms) { every = ms; },
    // Ask no more (the outbox once its batch is done, the pass once checked in).
    stop: function () { stopped = true; window.clearTimeout(timer); }
  };
}

// ---- the DOM ----------------------------------------------------------------------------

export function byId(id) { return document.getElementById(id); }

// A new element with a class and a text (both optional): text only, never HTML.
export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) { node.className = className; }
  if (text !== undefined) { node.textContent = text; }
  return node;
}

export function replaceChildren(list, nodes) {
  list.textContent = "";
  nodes.forEach(function (node) { list.appendChild(node); });
}

// Text only, and only when it changed (no flicker, no lost selection), in every
// [data-field=name] under `node`.
export function setField(node, name, text) {
  node.querySelectorAll('[data-field="' + name + '"]').forEach(function (element) {
    if (element.textContent !== text) { element.textContent = text; }
  });
}

// Every [data-show=name] under `node` shown or hidden.
export function show(node, name, visible) {
  node.querySelectorAll('[data-show="' + name + '"]').forEach(function (element) {
    element.hidden = !visible;
  });
}

// Make the children of `list` (each with data-id) follow `items`, reusing the node of each
// item so that nothing is re-created under the reader's eyes. New nodes are clones of
// `template` filled by fill(node, item). With `frozen`, nodes already there keep their place
// (the pointer is over the list) and new ones go after the item that precedes them.
export function syncList(list, items, template, fill, frozen) {
  const nodes = {};
  const kept = {};
  let previous = null;
  Array.prototype.forEach.call(list.children, function (node) {
    nodes[node.getAttribute("data-id")] = node;
  });
  items.forEach(function (item) {
    const key = String(item.id);
    let node = nodes[key];
    const fresh = !node;
    if (fresh) {
      node = template.content.firstElementChild.cloneNode(true);
      node.setAttribute("data-id", key);
      node.classList.add("is-new");
      const added = node;
      window.setTimeout(function () { added.classList.remove("is-new"); }, 2500);
    }
    fill(node, item);
    kept[key] = true;
    if (fresh || !frozen) {
      const wanted = previous ? previous.nextElementSibling : list.firstElementChild;
      if (wanted !== node) { list.insertBefore(node, wanted); }
    }
    previous = node;
  });
  Object.keys(nodes).forEach(function (key) {
    if (!kept[key]) { list.removeChild(nodes[key]); }
  });
}

// A form's message line (.form-message): `text` as a success ("ok") or an error; hidden when
// there is nothing to say.
export function say(line, text, kind) {
  line.textContent = text;
  line.className = "form-message " + (kind === "ok" ? "is-ok" : "is-error");
  line.hidden = !text;
}

// ---- words ------------------------------------------------------------------------------

// "Có mặt {present}/{expected}" with the values put in; an unknown {name} is left as it is.
export function format(template, values) {
  return template.replace(/\{(\w+)\}/g, function (all, key) {
    return values[key] === undefined ? all : String(values[key]);
  });
}

// "2014-08-12T07:52:00+07:00" -> "07:52": the server already answers in Vietnam time.
export function hhmm(iso) { return iso ? iso.slice(11, 16) : ""; }
