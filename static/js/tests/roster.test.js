// The scanner's roster for offline scans (../scanner/roster.js), with a Map for storage and
// node's WebCrypto for the hash: `node --test static/js/tests/`.
import assert from "node:assert/strict";
import { createHash, webcrypto } from "node:crypto";
import { describe, it } from "node:test";

import { createRoster, offlineAnswer, refreshRoster, subtleDigest } from "../scanner/roster.js";

function memoryStorage() {
  const map = new Map();
  return {
    getItem: function (key) { return map.has(key) ? map.get(key) : null; },
    setItem: function (key, value) { map.set(key, String(value)); },
    map: map
  };
}

// As workshop/checkin/roster.py: the first 32 hex digits of SHA-256.
function serverHash(token) { return createHash("sha256").update(token).digest("hex").slice(0, 32); }

const PASS = "k3Yv2c9tXq0m7Lr5WbA8nZpD1sUeH4fG";
const OLD_PASS = "old-pass-of-the-invitee-0123456789";
const ANSWER = {
  workshop: "ht-1", generated_at: "2030-08-12T07:30:00+07:00",
  entries: [
    { h: serverHash(PASS), name: "Lương Thị Thuỷ", title: "Trưởng phòng Nội vụ",
      organization: "UBND huyện Đại Từ", delegate_for: "Hà Văn Sơn", seat: "Hàng 2, ghế 5" },
    { h: serverHash("another-pass"), name: "Vũ Thị Giang", title: null, organization: null,
      delegate_for: null, seat: null }
  ],
  revoked: [serverHash(OLD_PASS)]
};

function roster(storage) { return createRoster(storage || memoryStorage(), "checkin-roster:ht-1", subtleDigest(webcrypto)); }

describe("the roster", function () {
  it("knows nobody before it is fetched", async function () {
    assert.equal(await roster().lookup(PASS), null);
    assert.deepEqual(offlineAnswer(null), { result: "queued" });
  });

  it("says who a scanned pass is, with the seat, from the hash the server made", async function () {
    const names = roster();
    names.save(ANSWER);
    const found = await names.lookup("  " + PASS + "\n");
    assert.deepEqual(found.attendee, {
      name: "Lương Thị Thuỷ", title: "Trưởng phòng Nội vụ", organization: "UBND huyện Đại Từ",
      seat: "Hàng 2, ghế 5", delegate_for: "Hà Văn Sơn", walk_in: false
    });
    assert.deepEqual(offlineAnswer(found), { result: "queued", attendee: found.attendee });
    assert.equal(await names.lookup("not-a-pass-of-this-workshop"), null);
    assert.equal(names.size(), 2);
  });

  it("refuses a revoked pass", async function () {
    const names = roster();
    names.save(ANSWER);
    const found = await names.lookup(OLD_PASS);
    assert.deepEqual(found, { revoked: true });
    assert.deepEqual(offlineAnswer(found), { result: "revoked" });
  });

  it("keeps no token, only hashes, and stays small", function () {
    const storage = memoryStorage();
    const names = roster(storage);
    const many = { generated_at: ANSWER.generated_at, revoked: [], entries: [] };
    for (let i = 0; i < 100; i += 1) {
      many.entries.push({ h: serverHash("pass-" + i), name: "Nguyễn Văn Đại Biểu " + i,
                          title: "Phó Giám đốc Sở", organization: "Sở Khoa học và Công nghệ",
                          seat: "Hàng " + (1 + Math.floor(i / 10)) + ", ghế " + (1 + i % 10) });
    }
    names.save(many);
    const kept = storage.map.get("checkin-roster:ht-1");
    assert.ok(!kept.includes("pass-1"));
    assert.ok(kept.length < 15000, "a hundred invitees: " + kept.length + " characters");
  });

  it("is refreshed from the API and kept when the network fails", async function () {
    const names = roster();
    const calls = [];
    const ok = await refreshRoster(function (url) {
      calls.push(url);
      return Promise.resolve({ status: 200, json: function () { return Promise.resolve(ANSWER); } });
    }, "/api/v1/workshops/ht-1/roster", names);
    assert.equal(ok, true);
    assert.deepEqual(calls, ["/api/v1/workshops/ht-1/roster"]);
    assert.equal(names.fetchedAt(), ANSWER.generated_at);
    const offline = await refreshRoster(function () { return Promise.reject(new TypeError("offline")); },
                                        "/api/v1/workshops/ht-1/roster", names);
    assert.equal(offline, false);
    const signedOut = await refreshRoster(function () { return Promise.resolve({ status: 401 }); },
                                          "/api/v1/workshops/ht-1/roster", names);
    assert.equal(signedOut, false);
    assert.equal((await names.lookup(PASS)).attendee.name, "Lương Thị Thuỷ");
  });

  it("is not fetched again while fresh, and is after that", async function () {
    const names = roster();
    let calls = 0;
    function fetch() {
      calls += 1;
      return Promise.resolve({ status: 200, json: function () { return Promise.resolve(ANSWER); } });
    }
    const at = function (ms) { return { now: function () { return ms; }, freshMs: 120000 }; };
    assert.equal(await refreshRoster(fetch, "/roster", names, at(1000000)), true);
    assert.equal(await refreshRoster(fetch, "/roster", names, at(1000000 + 119000)), false);
    assert.equal(calls, 1);
    assert.equal(await refreshRoster(fetch, "/roster", names, at(1000000 + 121000)), true);
    assert.equal(calls, 2);
  });

  it("is not used without WebCrypto (a page not served over HTTPS)", async function () {
    assert.equal(subtleDigest(undefined), null);
    const names = createRoster(memoryStorage(), "k", null);
    names.save(ANSWER);
    assert.equal(await names.lookup(PASS), null);
  });
});
