import { test } from "node:test";
import assert from "node:assert/strict";
import { ssoClaims } from "../src/widget";

const b64url = (s: string) => Buffer.from(s).toString("base64").replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

test("ssoClaims reads sub and jti from a JWT's payload", () => {
  const tok = `${b64url('{"alg":"HS256"}')}.${b64url('{"sub":"reader-42","jti":"t-1","name":"Zoë ü?"}')}.sig`;
  assert.deepEqual(ssoClaims(tok), { sub: "reader-42", jti: "t-1" });
});

test("ssoClaims refuses what is not a token with sub and jti", () => {
  assert.equal(ssoClaims(""), null);
  assert.equal(ssoClaims("abc"), null);
  assert.equal(ssoClaims(`x.${b64url('{"sub":"a"}')}.y`), null);
  assert.equal(ssoClaims("x.!!!.y"), null);
});
