// Search by name, for a guest without the pass on them: the list of matches with a "Điểm danh"
// button, or the time they were already checked in.
import { apiFetch, byId, element, format, hhmm } from "../shared.js";

// options: url (the scanner's search), words, checkIn(shortCode).
export function setupSearch(options) {
  const words = options.words;
  const input = byId("search-input");
  const list = byId("search-results");
  const message = byId("search-message");
  let timer = null;

  function search() {
    const query = input.value.trim();
    if (query.length < 2) { list.textContent = ""; message.textContent = ""; return; }
    apiFetch(options.url + "?q=" + encodeURIComponent(query))
      .then(function (response) {
        if (!response.ok) { throw new Error("search"); }
        return response.json();
      })
      .then(function (body) {
        list.textContent = "";
        message.textContent = body.items.length ? "" : words.no_match;
        body.items.forEach(function (person) { list.appendChild(row(person)); });
      })
      .catch(function () { message.textContent = words.search_offline; });
  }

  function row(person) {
    const item = element("li");
    const text = element("div");
    text.appendChild(element("strong", null, person.name));
    let details = [person.title, person.organization].filter(Boolean).join(" · ");
    if (person.delegate_for) { details += " · " + format(words.deputy, { name: person.delegate_for }); }
    text.appendChild(element("br"));
    text.appendChild(element("small", "muted", details));
    item.appendChild(text);
    if (person.checked_in_at) {
      item.appendChild(element("span", "tag", format(words.already_checked_in, { time: hhmm(person.checked_in_at) })));
    } else {
      const button = element("button", "btn primary", words.check_in);
      button.type = "button";
      button.addEventListener("click", function () {
        options.checkIn(person.short_code);
        input.value = "";
        list.textContent = "";
      });
      item.appendChild(button);
    }
    return item;
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 250);
  });
  byId("search-form").addEventListener("submit", function (event) { event.preventDefault(); search(); });
}
