// The scanner's offline queue: every scan is written here first, then sent; an answer from the
// server removes it, a failure leaves it for the next try (the `online` event, a timer, the
// next scan, the next page load). The server applies one client_id once, so a scan sent twice
// (its first answer lost on the way) is still one check-in.
//
// Pure: no DOM, no network. The storage (localStorage on the phone, a Map in the tests) and the
// function that sends a scan are given to it. Tests: static/js/tests/queue.test.js.

// A scan of `token` made now, or null for an empty code. options.now() gives the time (a
// Date), options.id() a random id.
export function newScan(token, options) {
  token = (token || "").trim();
  if (!token) { return null; }
  return { client_id: options.id(), token: token, scanned_at: options.now().toISOString() };
}

// A random id for a scan: a UUID where the browser has one, else 32 hex digits.
export function randomId(crypto) {
  if (crypto.randomUUID) { return crypto.randomUUID(); }
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
}

// The queue kept in storage.getItem/setItem(key): one per workshop, so that a phone used at
// two workshops never sends a scan to the wrong one.
export function createQueue(storage, key) {
  const inFlight = new Set();
  let flushing = false;

  function items() {
    try { return JSON.parse(storage.getItem(key)) || []; } catch (e) { return []; }
  }
  function save(list) { storage.setItem(key, JSON.stringify(list)); }

  function add(scan) {
    const list = items();
    list.push(scan);
    save(list);
    return scan;
  }

  function remove(clientId) {
    save(items().filter(function (scan) { return scan.client_id !== clientId; }));
  }

  // send(scan) resolves to the server's answer, or rejects while the scan must stay queued.
  // The scan is forgotten once answered; while it is on its way no flush sends it again.
  function sendOne(scan, send) {
    inFlight.add(scan.client_id);
    return Promise.resolve()
      .then(function () { return send(scan); })
      .then(function (answer) { remove(scan.client_id); return answer; })
      .finally(function () { inFlight.delete(scan.client_id); });
  }

  // Send what waits, oldest first and one at a time; stop at the first failure (the network
  // is still down: the others would fail too). onSent(scan, answer) for each answer. Resolves
  // to how many were sent, or null when a flush was already running.
  function flush(send, onSent) {
    if (flushing) { return Promise.resolve(null); }
    flushing = true;
    let sent = 0;
    const waiting = items().filter(function (scan) { return !inFlight.has(scan.client_id); });
    function next() {
      const scan = waiting.shift();
      if (!scan) { return Promise.resolve(); }
      return sendOne(scan, send).then(function (answer) {
        sent += 1;
        if (onSent) { onSent(scan, answer); }
        return next();
      });
    }
    return next().catch(function () { /* stays queued; tried again later */ }).then(function () {
      flushing = false;
      return sent;
    });
  }

  return {
    items: items,
    size: function () { return items().length; },
    add: add,
    remove: remove,
    send: sendOne,
    flush: flush
  };
}
