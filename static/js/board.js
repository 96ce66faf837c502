// The live attendance board: polls its JSON every few seconds (304 while nothing changed) and
// redraws with textContent only.
import { element, poll, replaceChildren } from "./shared.js";

const root = document.getElementById("board");
if (root) { start(root); }

function start(root) {
  const labels = root.dataset;

  function draw(data) {
    root.querySelectorAll("[data-field]").forEach(function (node) {
      const name = node.dataset.field;
      node.textContent = name === "absent_count" ? data.absent.length : data[name];
    });
    replaceChildren(document.getElementById("board-bars"), data.kinds.map(function (row) {
      const item = element("li");
      item.dataset.kind = row.kind;
      item.appendChild(element("span", "board-bar-label", row.label));
      const extra = row.walk_ins + row.unannounced;
      item.appendChild(element("span", "board-bar-count",
        row.present + "/" + row.expected + (extra ? " (+" + extra + ")" : "")));
      const meter = element("meter");
      meter.min = 0;
      meter.max = Math.max(row.expected, row.present, 1);
      meter.value = row.present;
      item.appendChild(meter);
      return item;
    }));
    const absent = data.absent.map(function (agency) {
      const item = element("li", null, agency.name + " ");
      item.appendChild(element("span", "tag", agency.kind_label));
      return item;
    });
    replaceChildren(document.getElementById("board-absent-list"),
      absent.length ? absent : [element("li", "muted", labels.labelAbsentNone)]);
    const recent = data.recent.map(function (person) {
      const item = element("li");
      item.appendChild(element("span", "board-time", person.time.slice(11, 16)));
      item.appendChild(document.createTextNode(" "));
      item.appendChild(element("strong", null, person.name));
      const details = [person.title, person.organization].filter(Boolean);
      if (person.delegate_for) { details.push(labels.labelDeputy.replace("{name}", person.delegate_for)); }
      if (person.walk_in) { details.push(labels.labelWalkIn); }
      item.appendChild(document.createTextNode(" "));
      const small = element("small", "muted", details.join(" · "));
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

  // "Số liệu có thể chưa cập nhật" while the board cannot be reached.
  function stale(kind) {
    const note = document.getElementById("board-stale");
    note.textContent = labels.labelStale;
    note.hidden = !kind;
  }

  // The page was drawn with the numbers of the moment: the first ask waits one interval.
  poll(labels.url, draw, { every: 5000, wait: 5000, status: stale });
}
