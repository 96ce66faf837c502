// The door's roster for offline scans (the API's GET …/roster): for each pass, a hash of its
// token with the name, title, agency and seat. Kept in localStorage for the workshop and
// refreshed while online, so that a scan without a network shows who it is at once; the scan
// still waits in the queue (queue.js) and the server applies it once when it syncs. A pass the
// roster lists as revoked is refused at once, online or not: the server would refuse it too.
//
// Pure: no DOM, no network. The storage, the SHA-256 (crypto.subtle on the phone, node:crypto
// in the tests) and fetch are given to it. Tests: static/js/tests/roster.test.js.

const HASH_LENGTH = 32;  // hex digits, as workshop/checkin/roster.py cuts them

// The hex SHA-256 of a text with the browser's crypto.subtle (a secure context, as the
// camera needs); null where it is missing, and the roster is then not used.
export function subtleDigest(crypto) {
  if (!crypto || !crypto.subtle || typeof TextEncoder === "undefined") { return null; }
  return function (text) {
    return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)).then(function (buffer) {
      return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("");
    });
  };
}

// storage.getItem/setItem(key); digest(text) resolves to hex SHA-256, or is null.
export function createRoster(storage, key, digest) {
  function load() {
    try { return JSON.parse(storage.getItem(key)) || null; } catch (e) { return null; }
  }

  // Keep the API's answer, compactly: hash -> [name, title, organization, seat, delegate_for];
  // `kept` is when (this phone's clock, in ms) it was fetched.
  function save(answer, kept) {
    const people = {};
    (answer.entries || []).forEach(function (entry) {
      people[entry.h] = [entry.name, entry.title || null, entry.organization || null,
                         entry.seat || null, entry.delegate_for || null];
    });
    storage.setItem(key, JSON.stringify({
      at: answer.generated_at || null, kept: kept || 0, people: people, revoked: answer.revoked || []
    }));
  }

  // What the roster knows of a scanned code: {revoked: true}, {attendee: {...}}, or null (not
  // a pass of this workshop that the roster holds, or no roster).
  function lookup(token) {
    const roster = load();
    token = (token || "").trim();
    if (!roster || !digest || !token) { return Promise.resolve(null); }
    return Promise.resolve(digest(token)).then(function (hex) {
      const hash = hex.slice(0, HASH_LENGTH);
      if (roster.revoked.indexOf(hash) !== -1) { return { revoked: true }; }
      const person = roster.people[hash];
      if (!person) { return null; }
      return { attendee: { name: person[0], title: person[1], organization: person[2],
                           seat: person[3], delegate_for: person[4], walk_in: false } };
    }, function () { return null; });
  }

  function size() {
    const roster = load();
    return roster ? Object.keys(roster.people).length : 0;
  }

  return {
    save: save, lookup: lookup, size: size,
    fetchedAt: function () { return (load() || {}).at || null; },
    keptAt: function () { return (load() || {}).kept || 0; }
  };
}

// Fetch the roster and keep it; a failure (offline, signed out) keeps the one there was.
// Resolves to true when it was refreshed. options.now() is the time in ms; a roster kept less
// than options.freshMs ago is not fetched again (a reload of the page costs nothing: the roster
// only speaks while the server cannot, and the server answers every scan it receives).
export function refreshRoster(fetch, url, roster, options) {
  options = options || {};
  const now = options.now ? options.now() : Date.now();
  if (options.freshMs && roster.keptAt() && now - roster.keptAt() < options.freshMs) {
    return Promise.resolve(false);
  }
  return Promise.resolve()
    .then(function () { return fetch(url, { headers: { Accept: "application/json" } }); })
    .then(function (response) {
      if (response.status !== 200) { return false; }
      return response.json().then(function (answer) { roster.save(answer, now); return true; });
    })
    .catch(function () { return false; });
}

// The screen's answer for a scan that could not be sent: who it is when the roster knows
// (still "queued"), or the refusal of a revoked pass.
export function offlineAnswer(found) {
  if (found && found.revoked) { return { result: "revoked" }; }
  if (found && found.attendee) { return { result: "queued", attendee: found.attendee }; }
  return { result: "queued" };
}
