// The live attendance board: polls its JSON every few seconds (304 while nothing changed) and
// redraws with textContent only. Also the print buttons of the sheet and the poster.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });

  var root = document.getElementById("board");
  if (!root) { return; }
  var labels = root.dataset;
  var POLL_MS = 5000;
  var etag = null;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function replaceChildren(list, nodes) {
    list.textContent = "";
    nodes.forEach(function (node) { list.appendChild(node); });
  }

  function draw(data) {
    root.querySelectorAll("[data-field]").forEach(function (node) {
      var name = node.dataset.field;
      node.textContent = name === "absent_count" ? data.absent.length : data[name];
    });
    replaceChildren(document.getElementById("board-bars"), data.kinds.map(function (row) {
      var item = element("li");
      item.dataset.kind = row.kind;
      item.appendChild(element("span", "board-bar-label", row.label));
      var extra = row.walk_ins + row.unannounced;
      item.appendChild(element("span", "board-bar-count",
        row.present + "/" + row.expected + (extra ? " (+" + extra + ")" : "")));
      var meter = element("meter");
      meter.min = 0;
      meter.max = Math.max(row.expected, row.present, 1);
      meter.value = row.present;
      item.appendChild(meter);
      return item;
    }));
    var absent = data.absent.map(function (agency) {
      var item = element("li", null, agency.name + " ");
      item.appendChild(element("span", "tag", agency.kind_label));
      return item;
    });
    replaceChildren(document.getElementById("board-absent-list"),
      absent.length ? absent : [element("li", "muted", labels.labelAbsentNone)]);
    var recent = data.recent.map(function (person) {
      var item = element("li");
      item.appendChild(element("span", "board-time", person.time.slice(11, 16)));
      item.appendChild(document.createTextNode(" "));
      item.appendChild(element("strong", null, person.name));
      var details = [person.title, person.organization].filter(Boolean);
      if (person.delegate_for) { details.push(labels.labelDeputy.replace("{name}", person.delegate_for)); }
      if (person.walk_in) { details.push(labels.labelWalkIn); }
      item.appendChild(document.createTextNode(" "));
      var small = element("small", "muted", details.join(" · "));
      if (person.method === "self") {
        small.appendChild(document.createTextNode(" · "));
        small.appendChild(element("span", "tag", person.method_label));
      }
      item.appendChild(small);
      return item;
    });
    replaceChildren(document.getElementById("board-recent-list"),
      recent.length ? recent : [element("li", "muted", labels.labelRecentNone)]);
  }

  function stale(isStale) {
    var note = document.getElementById("board-stale");
    note.textContent = labels.labelStale;
    note.hidden = !isStale;
  }

  function poll() {
    var headers = { "Accept": "application/json" };
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(labels.url, { headers: headers, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status === 304) { stale(false); return; }
        if (!response.ok) { throw new Error("board"); }
        etag = response.headers.get("ETag");
        return response.json().then(function (data) { draw(data); stale(false); });
      })
      .catch(function () { stale(true); })
      .then(function () { setTimeout(poll, POLL_MS); });
  }
  setTimeout(poll, POLL_MS);
})();
