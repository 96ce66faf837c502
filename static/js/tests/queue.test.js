// The scanner's offline queue (../scanner/queue.js), with a Map for localStorage: run with
// `node --test static/js/tests/` (make test runs it through tests/test_assets.py).
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { createQueue, newScan, randomId } from "../scanner/queue.js";

// localStorage's two methods over a Map (which also shows what was written).
function memoryStorage(initial) {
  const data = new Map(Object.entries(initial || {}));
  return {
    data: data,
    getItem: function (key) { return data.has(key) ? data.get(key) : null; },
    setItem: function (key, value) { data.set(key, String(value)); }
  };
}

function scan(n) { return { client_id: "id-" + n, token: "CODE" + n, scanned_at: "2030-08-12T00:0" + n + ":00.000Z" }; }

// A send() whose answers the test gives one by one: each call waits for `answer(n)`/`fail(n)`.
function controlledSend() {
  const calls = [];
  function send(item) {
    return new Promise(function (resolve, reject) { calls.push({ item: item, resolve: resolve, reject: reject }); });
  }
  return { send: send, calls: calls };
}

const tick = function () { return new Promise(function (resolve) { setImmediate(resolve); }); };

describe("newScan", function () {
  it("trims the code and stamps the scan with its id and time", function () {
    const made = newScan("  ABC123 \n", { now: function () { return new Date("2030-08-12T07:52:00+07:00"); },
                                           id: function () { return "the-id"; } });
    assert.deepEqual(made, { client_id: "the-id", token: "ABC123", scanned_at: "2030-08-12T00:52:00.000Z" });
  });

  it("makes nothing of an empty code", function () {
    const options = { now: function () { return new Date(); }, id: function () { throw new Error("not asked"); } };
    assert.equal(newScan("   ", options), null);
    assert.equal(newScan(undefined, options), null);
  });

  it("gives a UUID where there is one, else 32 hex digits", function () {
    assert.equal(randomId({ randomUUID: function () { return "uuid"; } }), "uuid");
    const id = randomId({ getRandomValues: function (bytes) { bytes.fill(10); return bytes; } });
    assert.equal(id, "0a".repeat(16));
  });
});

describe("the queue", function () {
  it("keeps its scans in the storage, so that a reload finds them", function () {
    const storage = memoryStorage();
    const queue = createQueue(storage, "scan-queue-ht-1");
    queue.add(scan(1));
    queue.add(scan(2));
    assert.deepEqual(JSON.parse(storage.data.get("scan-queue-ht-1")), [scan(1), scan(2)]);
    const reloaded = createQueue(storage, "scan-queue-ht-1");
    assert.deepEqual(reloaded.items(), [scan(1), scan(2)]);
    assert.equal(reloaded.size(), 2);
  });

  it("keeps one queue per workshop", function () {
    const storage = memoryStorage();
    createQueue(storage, "scan-queue-ht-1").add(scan(1));
    assert.deepEqual(createQueue(storage, "scan-queue-ht-2").items(), []);
  });

  it("starts empty from storage it cannot read, and still works", function () {
    const queue = createQueue(memoryStorage({ key: "{not json" }), "key");
    assert.deepEqual(queue.items(), []);
    queue.add(scan(1));
    assert.deepEqual(queue.items(), [scan(1)]);
    assert.deepEqual(createQueue(memoryStorage({ key: "null" }), "key").items(), []);
  });

  it("forgets a scan once the server answered it, and keeps it when sending failed", async function () {
    const queue = createQueue(memoryStorage(), "key");
    queue.add(scan(1));
    queue.add(scan(2));
    await assert.rejects(queue.send(scan(1), function () { return Promise.reject(new TypeError("offline")); }));
    assert.deepEqual(queue.items(), [scan(1), scan(2)]);
    const answer = await queue.send(scan(1), function () { return Promise.resolve({ result: "checked_in" }); });
    assert.deepEqual(answer, { result: "checked_in" });
    assert.deepEqual(queue.items(), [scan(2)]);
  });

  it("keeps a scan whose send() throws at once", async function () {
    const queue = createQueue(memoryStorage(), "key");
    queue.add(scan(1));
    await assert.rejects(queue.send(scan(1), function () { throw new Error("bug"); }));
    assert.deepEqual(queue.items(), [scan(1)]);
  });
});

describe("flush", function () {
  it("sends the waiting scans oldest first, one at a time", async function () {
    const queue = createQueue(memoryStorage(), "key");
    [1, 2, 3].forEach(function (n) { queue.add(scan(n)); });
    const remote = controlledSend();
    const answered = [];
    const done = queue.flush(remote.send, function (item, answer) { answered.push([item.client_id, answer.result]); });
    await tick();
    assert.deepEqual(remote.calls.map(function (call) { return call.item.client_id; }), ["id-1"]);
    remote.calls[0].resolve({ result: "checked_in" });
    await tick();
    assert.equal(remote.calls.length, 2, "the second only after the first was answered");
    remote.calls[1].resolve({ result: "already_checked_in" });
    await tick();
    remote.calls[2].resolve({ result: "unknown" });
    assert.equal(await done, 3);
    assert.deepEqual(answered, [["id-1", "checked_in"], ["id-2", "already_checked_in"], ["id-3", "unknown"]]);
    assert.deepEqual(queue.items(), []);
  });

  it("stops at the first failure and keeps it and the rest, in order", async function () {
    const queue = createQueue(memoryStorage(), "key");
    [1, 2, 3].forEach(function (n) { queue.add(scan(n)); });
    let calls = 0;
    const sent = await queue.flush(function (item) {
      calls += 1;
      return item.client_id === "id-1" ? Promise.resolve({ result: "checked_in" }) : Promise.reject(new Error("retry"));
    });
    assert.equal(sent, 1);
    assert.equal(calls, 2, "the third is not tried while the network fails");
    assert.deepEqual(queue.items(), [scan(2), scan(3)]);
  });

  it("does not send again a scan already on its way", async function () {
    const queue = createQueue(memoryStorage(), "key");
    queue.add(scan(1));
    queue.add(scan(2));
    const live = controlledSend();
    const first = queue.send(scan(1), live.send);  // the scan just made, sent at once
    const sentByFlush = [];
    const flushed = await queue.flush(function (item) {
      sentByFlush.push(item.client_id);
      return Promise.resolve({ result: "checked_in" });
    });
    assert.equal(flushed, 1);
    assert.deepEqual(sentByFlush, ["id-2"]);
    live.calls[0].resolve({ result: "checked_in" });
    await first;
    assert.deepEqual(queue.items(), []);
  });

  it("runs once at a time: a second flush meanwhile sends nothing", async function () {
    const queue = createQueue(memoryStorage(), "key");
    queue.add(scan(1));
    const remote = controlledSend();
    const first = queue.flush(remote.send);
    assert.equal(await queue.flush(remote.send), null);
    await tick();
    assert.equal(remote.calls.length, 1);
    remote.calls[0].resolve({ result: "checked_in" });
    assert.equal(await first, 1);
    assert.equal(await queue.flush(remote.send), 0, "free again once done");
  });

  it("sends nothing when nothing waits", async function () {
    const queue = createQueue(memoryStorage(), "key");
    assert.equal(await queue.flush(function () { throw new Error("not asked"); }), 0);
  });
});
