// What the check-in API's answer means for a queued scan (../scanner/sender.js), with a fake
// fetch: `node --test static/js/tests/`.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { createSender } from "../scanner/sender.js";

function answer(status, body) {
  return { status: status, json: function () { return Promise.resolve(body); } };
}

// A sender over `respond(url, init)`, and what it told the screen.
function sender(respond, timeoutMs) {
  const told = { signedOut: [], offline: [], requests: [] };
  const send = createSender({
    url: "/api/v1/workshops/ht-1/checkins", timeoutMs: timeoutMs || 1000,
    fetch: function (url, init) { told.requests.push([url, init]); return respond(url, init); },
    signedOut: function (value) { told.signedOut.push(value); },
    offline: function (value) { told.offline.push(value); }
  });
  return { send: send, told: told };
}

const scan = { client_id: "c-1", token: "ABC123", scanned_at: "2030-08-12T00:52:00.000Z" };

describe("the sender", function () {
  it("posts the scan as JSON and answers the server's result", async function () {
    const { send, told } = sender(function () { return Promise.resolve(answer(201, { result: "checked_in" })); });
    assert.deepEqual(await send(scan), { result: "checked_in" });
    const [url, init] = told.requests[0];
    assert.equal(url, "/api/v1/workshops/ht-1/checkins");
    assert.equal(init.method, "POST");
    assert.equal(init.headers["Content-Type"], "application/json");
    assert.deepEqual(JSON.parse(init.body), scan);
    assert.deepEqual(told, { signedOut: [false], offline: [false], requests: told.requests });
  });

  it("takes an answer without a result for an invalid code (a 404 or 422 is an answer, not a retry)", async function () {
    const { send } = sender(function () { return Promise.resolve(answer(422, { error: { code: "invalid" } })); });
    assert.equal((await send(scan)).result, "invalid");
  });

  for (const status of [400, 401, 403]) {
    it(`keeps the scan and says the sign-in lapsed on ${status}`, async function () {
      const { send, told } = sender(function () { return Promise.resolve(answer(status, {})); });
      await assert.rejects(send(scan), /signed out/);
      assert.deepEqual(told.signedOut, [true]);
      assert.deepEqual(told.offline, []);
    });
  }

  for (const status of [429, 500, 503]) {
    it(`keeps the scan to try again on ${status}`, async function () {
      const { send, told } = sender(function () { return Promise.resolve(answer(status, {})); });
      await assert.rejects(send(scan), /retry/);
      assert.deepEqual([told.signedOut, told.offline], [[], []]);
    });
  }

  it("keeps the scan and says the network is lost when fetch fails", async function () {
    const { send, told } = sender(function () { return Promise.reject(new TypeError("Failed to fetch")); });
    await assert.rejects(send(scan), TypeError);
    assert.deepEqual(told.offline, [true]);
  });

  it("gives up waiting after the timeout, as when the network is lost", async function () {
    const { send, told } = sender(function () { return new Promise(function () {}); }, 20);
    await assert.rejects(send(scan), /timeout/);
    assert.deepEqual(told.offline, [true]);
  });
});
