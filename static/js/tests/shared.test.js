// The words helpers of ../shared.js and the camera's repeat filter: `node --test static/js/tests/`.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { firstSighting } from "../scanner/camera.js";
import { errorText, format, hhmm } from "../shared.js";

describe("words", function () {
  it("fills {names} and leaves unknown ones", function () {
    assert.equal(format("Có mặt {present}/{expected}", { present: 57, expected: 80 }), "Có mặt 57/80");
    assert.equal(format("{count} lượt {other}", { count: 0 }), "0 lượt {other}");
  });

  it("reads the time of day the server wrote in Vietnam time", function () {
    assert.equal(hhmm("2014-08-12T07:52:00+07:00"), "07:52");
    assert.equal(hhmm(null), "");
  });

  it("says the API's field messages, else its message, else the page's words", function () {
    const invalid = { error: { message: "Dữ liệu không hợp lệ.", fields: [{ message: "A." }, { message: "B." }] } };
    assert.equal(errorText(invalid, "x"), "A. B.");
    assert.equal(errorText({ error: { message: "Quá nhanh." } }, "x"), "Quá nhanh.");
    assert.equal(errorText({}, "Chưa gửi được."), "Chưa gửi được.");
  });
});

describe("the camera's repeat filter", function () {
  it("lets a pass through once while it stays in front of the camera", function () {
    let now = 0;
    const fresh = firstSighting(4000, function () { return now; });
    assert.equal(fresh("PASS-A"), true);
    now = 3000;
    assert.equal(fresh("PASS-A"), false);
    assert.equal(fresh("PASS-B"), true, "another pass is read at once");
    now = 6500;
    assert.equal(fresh("PASS-A"), false, "seen 3.5 s ago: still the same person");
    now = 11000;
    assert.equal(fresh("PASS-A"), true, "gone for more than 4 s: a new scan");
  });
});
