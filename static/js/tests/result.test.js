// The scanner's result screen words: `node --test static/js/tests/`.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { colourOf, headline } from "../scanner/result.js";

const WORDS = {
  checked_in: "ĐÃ ĐIỂM DANH", invalid: "MÃ KHÔNG HỢP LỆ",
  replaced: "Giấy mời đã chuyển cho người dự thay: {name}",
  replaced_new: "Giấy mời này đã được thay bằng giấy mời mới."
};

describe("a pass handed to a deputy", function () {
  it("is amber and names the deputy", function () {
    const answer = { result: "replaced", deputy_name: "Lê Thị Hoa" };
    assert.equal(colourOf("replaced"), "warn");
    assert.equal(headline(answer, WORDS), "Giấy mời đã chuyển cho người dự thay: Lê Thị Hoa");
  });

  it("says the pass was replaced, naming nobody, when the invitee took it back", function () {
    assert.equal(headline({ result: "replaced" }, WORDS), "Giấy mời này đã được thay bằng giấy mời mới.");
  });
});

describe("a pass the offline roster lists as revoked", function () {
  it("is amber like the server's answer for the same pass", function () {
    assert.equal(colourOf("revoked"), colourOf("replaced"));
  });
});
