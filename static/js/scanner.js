// The check-in scanner: camera + jsQR, a scan queue that survives the network and reloads,
// a big result, and the fallbacks (typed code, search, walk-in, undo). No framework; CSP-safe.
//
// Every scan is written to the queue in localStorage first (with its client_id and scanned_at),
// then sent. An answer from the server removes it; a network failure leaves it for the next
// try (the `online` event, a timer, the next scan, the next page load). The server applies one
// client_id once, so a scan sent twice (its first answer lost on the way) is still one scan.
(function () {
  "use strict";
  var root = document.getElementById("scanner");
  if (!root) { return; }
  var data = root.dataset;
  var words = JSON.parse(data.messages);
  var QUEUE_KEY = data.queueKey;
  var SAME_CODE_MS = 4000;       // the same pass seen again this soon is the same person
  var LIVE_WAIT_MS = 1500;       // after this, a scan without an answer is shown as queued
  var SEND_TIMEOUT_MS = 8000;
  var RETRY_MS = 10000;

  function $(id) { return document.getElementById(id); }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return values[key] === undefined ? all : String(values[key]);
    });
  }
  // "2014-08-12T07:52:00+07:00" -> "07:52": the server already answers in Vietnam time.
  function hhmm(iso) { return iso ? iso.slice(11, 16) : ""; }

  function newClientId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  // ---- the queue ------------------------------------------------------------------------
  function loadQueue() {
    try { return JSON.parse(localStorage.getItem(QUEUE_KEY)) || []; } catch (e) { return []; }
  }
  function saveQueue(queue) { localStorage.setItem(QUEUE_KEY, JSON.stringify(queue)); }
  function removeFromQueue(clientId) {
    saveQueue(loadQueue().filter(function (item) { return item.client_id !== clientId; }));
  }

  var offline = false;
  var signedOut = false;
  function showBadge() {
    var waiting = loadQueue().length;
    $("scan-waiting").textContent = fill(words.waiting, { count: waiting });
    $("scan-waiting").dataset.count = String(waiting);
    $("scan-offline").hidden = !offline;
    $("scan-badge").hidden = waiting === 0 && !offline;
    $("scan-badge").classList.toggle("is-offline", offline);
  }
  function setOffline(value) { offline = value; showBadge(); }
  function setSignedOut(value) {
    signedOut = value;
    var box = $("scan-signed-out");
    box.hidden = !value;
    box.querySelector("span").textContent = words.signed_out;
  }

  function timeout(promise, ms) {
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () { reject(new Error("timeout")); }, ms);
      promise.then(function (v) { clearTimeout(timer); resolve(v); },
                   function (e) { clearTimeout(timer); reject(e); });
    });
  }

  // Resolves to the server's answer (and forgets the queued scan), or rejects when the scan must
  // stay queued: no network, a server error, a sign-in that lapsed.
  var inFlight = {};
  function send(item) {
    inFlight[item.client_id] = true;
    var request = window.apiFetch(data.checkinUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(item),
    });
    return timeout(request, SEND_TIMEOUT_MS).then(function (response) {
      if (response.status === 400 || response.status === 401 || response.status === 403) {
        setSignedOut(true);
        throw new Error("signed out");
      }
      if (response.status >= 500 || response.status === 429) { throw new Error("retry"); }
      return response.json().then(function (body) {
        removeFromQueue(item.client_id);
        setSignedOut(false);
        setOffline(false);
        if (!body.result) { body.result = "invalid"; }
        return body;
      });
    }, function (error) {
      setOffline(true);
      throw error;
    }).finally(function () { delete inFlight[item.client_id]; });
  }

  var flushing = false;
  function flush() {
    if (flushing) { return; }
    flushing = true;
    var sent = 0;
    var pending = loadQueue().filter(function (item) { return !inFlight[item.client_id]; });
    function next() {
      var item = pending.shift();
      if (!item) { return Promise.resolve(); }
      return send(item).then(function (body) {
        sent += 1;
        remember(item, body);
        return next();
      });
    }
    next().catch(function () { /* stays queued; retried later */ }).then(function () {
      flushing = false;
      showBadge();
      if (sent) {
        $("scan-note").textContent = fill(words.synced, { count: sent });
        refreshCounter();
      }
    });
  }

  // ---- one scan -------------------------------------------------------------------------
  function submit(token) {
    token = (token || "").trim();
    if (!token) { return; }
    var item = { client_id: newClientId(), token: token, scanned_at: new Date().toISOString() };
    var queue = loadQueue();
    queue.push(item);
    saveQueue(queue);
    showBadge();
    var answered = false;
    var waitTimer = setTimeout(function () {
      if (!answered) { showResult({ result: "queued" }, item.client_id); }
    }, navigator.onLine === false ? 0 : LIVE_WAIT_MS);
    send(item).then(function (body) {
      answered = true;
      clearTimeout(waitTimer);
      remember(item, body);
      showResult(body, item.client_id, true);
      refreshCounter();
      flush();  // the network is back: send what waited
    }, function () {
      answered = true;
      clearTimeout(waitTimer);
      showResult({ result: "queued" }, item.client_id, true);
    });
  }

  // ---- the big result -------------------------------------------------------------------
  var COLOURS = { checked_in: "ok", already_checked_in: "warn", unknown: "bad",
                  other_workshop: "bad", invalid: "bad", queued: "wait", undone: "wait" };
  var resultTimer = null;
  var shownFor = null;
  function showResult(body, clientId, replace) {
    // A late answer replaces the "queued" screen of its own scan only.
    if (replace && shownFor !== clientId && !$("scan-result").hidden) { return; }
    var box = $("scan-result");
    var person = body.attendee || {};
    var head = words[body.result] || words.invalid;
    if (body.result === "already_checked_in") { head = fill(head, { time: hhmm(body.checked_in_at) }); }
    box.className = "scan-result scan-" + (COLOURS[body.result] || "bad");
    box.querySelector(".scan-result-head").textContent = head;
    box.querySelector(".scan-result-name").textContent = person.name || "";
    box.querySelector(".scan-result-title").textContent = person.title || "";
    box.querySelector(".scan-result-organization").textContent = person.organization || "";
    var note = "";
    if (person.delegate_for) { note = fill(words.deputy, { name: person.delegate_for }); }
    else if (person.walk_in) { note = words.walk_in; }
    else if (body.result === "queued") { note = words.queued_help; }
    box.querySelector(".scan-result-note").textContent = note;
    box.hidden = false;
    shownFor = clientId;
    feedback(COLOURS[body.result] || "bad");
    clearTimeout(resultTimer);
    resultTimer = setTimeout(hideResult, body.result === "checked_in" ? 2000 : 2600);
  }
  function hideResult() { $("scan-result").hidden = true; shownFor = null; }
  $("scan-result").addEventListener("click", hideResult);

  // ---- sound and vibration --------------------------------------------------------------
  var audio = null;
  function unlockAudio() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) { audio = new Context(); }
    if (audio && audio.state === "suspended") { audio.resume(); }
  }
  document.addEventListener("pointerdown", unlockAudio);
  document.addEventListener("keydown", unlockAudio);
  function beep(frequency, seconds, delay) {
    if (!audio || audio.state !== "running") { return; }
    var start = audio.currentTime + (delay || 0);
    var oscillator = audio.createOscillator();
    var gain = audio.createGain();
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.25, start);
    gain.gain.exponentialRampToValueAtTime(0.001, start + seconds);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(start);
    oscillator.stop(start + seconds);
  }
  function feedback(colour) {
    var patterns = { ok: [120], warn: [80, 80, 80], bad: [300, 120, 300], wait: [60] };
    if (navigator.vibrate) { navigator.vibrate(patterns[colour] || 0); }
    if (colour === "ok") { beep(1046, 0.15); }
    else if (colour === "warn") { beep(660, 0.12); beep(660, 0.12, 0.18); }
    else if (colour === "bad") { beep(220, 0.45); }
    else { beep(520, 0.08); }
  }

  // ---- what this phone did: history, undo -----------------------------------------------
  var lastCheckIn = null;
  function remember(item, body) {
    var person = body.attendee || {};
    var line = document.createElement("li");
    line.className = "scan-" + (COLOURS[body.result] || "bad");
    var when = document.createElement("span");
    when.className = "scan-history-time";
    when.textContent = new Date(item.scanned_at).toTimeString().slice(0, 5);
    var what = document.createElement("span");
    var head = words[body.result] || words.invalid;
    if (body.result === "already_checked_in") { head = fill(head, { time: hhmm(body.checked_in_at) }); }
    what.textContent = (person.name ? person.name + " · " : "") + head;
    line.appendChild(when);
    line.appendChild(what);
    var history = $("scan-history");
    history.insertBefore(line, history.firstChild);
    while (history.children.length > 30) { history.removeChild(history.lastChild); }
    if (body.result === "checked_in" && body.invitation_id) {
      lastCheckIn = { id: body.invitation_id, name: person.name };
      $("scan-last-name").textContent = person.name;
      $("scan-last").hidden = false;
    }
  }

  $("scan-undo").addEventListener("click", function () {
    if (!lastCheckIn || !window.confirm(fill(words.undo_confirm, { name: lastCheckIn.name }))) {
      return;
    }
    var undoing = lastCheckIn;
    window.apiFetch(data.invitationsUrl + undoing.id + "/checkin", { method: "DELETE" })
      .then(function (response) {
        if (!response.ok && response.status !== 404) { throw new Error("undo"); }
        lastCheckIn = null;
        $("scan-last").hidden = true;
        showResult({ result: "undone", attendee: { name: undoing.name } }, null);
        refreshCounter();
      })
      .catch(function () { $("scan-note").textContent = words.undo_failed; });
  });

  // ---- the counter "Có mặt 57/80" -------------------------------------------------------
  var boardTag = null;
  function refreshCounter() {
    var headers = boardTag ? { "If-None-Match": boardTag } : {};
    window.apiFetch(data.boardUrl, { headers: headers }).then(function (response) {
      if (response.status !== 200) { return; }
      boardTag = response.headers.get("ETag");
      return response.json().then(function (board) {
        $("scan-counter").textContent = fill(words.counter,
          { present: board.present, expected: board.expected });
        $("scan-extra").textContent = board.walk_ins || board.unannounced
          ? fill(words.extra, { walk_ins: board.walk_ins, unannounced: board.unannounced }) : "";
      });
    }).catch(function () { /* offline: the counter waits */ });
  }

  // ---- typed code, search, walk-in ------------------------------------------------------
  $("code-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = $("code-input");
    submit(input.value);
    input.value = "";
  });

  var searchTimer = null;
  function search() {
    var query = $("search-input").value.trim();
    var list = $("search-results");
    var message = $("search-message");
    if (query.length < 2) { list.textContent = ""; message.textContent = ""; return; }
    window.apiFetch(data.searchUrl + "?q=" + encodeURIComponent(query))
      .then(function (response) {
        if (!response.ok) { throw new Error("search"); }
        return response.json();
      })
      .then(function (body) {
        list.textContent = "";
        message.textContent = body.items.length ? "" : words.no_match;
        body.items.forEach(function (person) { list.appendChild(searchRow(person)); });
      })
      .catch(function () { message.textContent = words.search_offline; });
  }
  function searchRow(person) {
    var row = document.createElement("li");
    var text = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = person.name;
    text.appendChild(name);
    var details = [person.title, person.organization].filter(Boolean).join(" · ");
    if (person.delegate_for) { details += " · " + fill(words.deputy, { name: person.delegate_for }); }
    var small = document.createElement("small");
    small.className = "muted";
    small.textContent = details;
    text.appendChild(document.createElement("br"));
    text.appendChild(small);
    row.appendChild(text);
    if (person.checked_in_at) {
      var done = document.createElement("span");
      done.className = "tag";
      done.textContent = fill(words.already_checked_in, { time: hhmm(person.checked_in_at) });
      row.appendChild(done);
    } else {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn primary";
      button.textContent = words.check_in;
      button.addEventListener("click", function () {
        submit(person.short_code);
        $("search-input").value = "";
        $("search-results").textContent = "";
      });
      row.appendChild(button);
    }
    return row;
  }
  $("search-input").addEventListener("input", function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(search, 250);
  });
  $("search-form").addEventListener("submit", function (event) { event.preventDefault(); search(); });

  $("walk-in-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    var button = form.querySelector("button[type=submit]");
    var message = $("walk-in-message");
    button.disabled = true;
    message.textContent = "";
    window.apiFetch(data.walkInUrl, { method: "POST", body: new FormData(form) })
      .then(function (response) {
        return response.json().then(function (body) {
          if (response.status === 422) {
            message.textContent = body.error.fields.map(function (f) { return f.message; }).join(" ");
            return;
          }
          if (response.status === 409 && body.result) { showResult(body, null); return; }
          if (!response.ok) { throw new Error("walk-in"); }
          form.reset();
          remember({ scanned_at: new Date().toISOString() }, body);
          showResult(body, null);
          refreshCounter();
        });
      })
      .catch(function () { message.textContent = words.walk_in_offline; })
      .then(function () { button.disabled = false; });
  });

  // ---- the camera -----------------------------------------------------------------------
  var video = $("scan-video");
  var canvas = document.createElement("canvas");
  var context2d = canvas.getContext("2d", { willReadFrequently: true });
  var lastSeen = {};

  function cameraMessage(text) {
    $("scan-camera-text").textContent = text;
    $("scan-camera-message").hidden = !text;
  }
  function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      cameraMessage(window.isSecureContext ? words.camera_missing : words.camera_insecure);
      return;
    }
    cameraMessage("");
    navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
    }).then(function (stream) {
      video.srcObject = stream;
      return video.play();
    }).catch(function (error) {
      cameraMessage(error && error.name === "NotAllowedError" ? words.camera_denied : words.camera_missing);
    });
  }
  function decodeFrame() {
    if (!document.hidden && video.readyState >= 2 && video.videoWidth && window.jsQR) {
      var scale = Math.min(1, 640 / video.videoWidth);
      var width = Math.round(video.videoWidth * scale);
      var height = Math.round(video.videoHeight * scale);
      if (canvas.width !== width) { canvas.width = width; canvas.height = height; }
      context2d.drawImage(video, 0, 0, width, height);
      var image = context2d.getImageData(0, 0, width, height);
      var code = window.jsQR(image.data, width, height, { inversionAttempts: "dontInvert" });
      if (code && code.data) { onRead(code.data); }
    }
    setTimeout(decodeFrame, 150);
  }
  function onRead(text) {
    var now = Date.now();
    if (lastSeen[text] && now - lastSeen[text] < SAME_CODE_MS) { lastSeen[text] = now; return; }
    lastSeen[text] = now;
    submit(text);
  }
  $("scan-camera-retry").addEventListener("click", startCamera);

  // ---- start ----------------------------------------------------------------------------
  window.addEventListener("online", flush);
  window.addEventListener("offline", function () { setOffline(true); });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { flush(); } });
  setInterval(flush, RETRY_MS);
  setInterval(refreshCounter, 30000);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(data.swUrl, { scope: data.swScope }).catch(function () {});
  }
  showBadge();
  flush();
  startCamera();
  decodeFrame();
})();
