import { test } from "node:test";
import assert from "node:assert/strict";
import { ApiError } from "../src/api";
import { Draft, errorText } from "../src/draft";
import { LOCALES } from "../src/i18n";

test("one send at a time; the key changes only after success", () => {
  let n = 0;
  const d = new Draft(() => "k" + ++n);
  assert.equal(d.key, "k1");
  assert.equal(d.begin(), true);
  assert.equal(d.begin(), false, "second click while sending is refused");
  d.finish(false);
  assert.equal(d.key, "k1", "a failed send keeps the key so a retry is idempotent");
  assert.equal(d.begin(), true);
  d.finish(true);
  assert.equal(d.key, "k2", "a successful send starts a new draft");
  assert.equal(d.sending, false);
});

test("compose time runs from the first keystroke and resets after success", () => {
  const d = new Draft(() => "k");
  assert.equal(d.composeMs(1000), 0);
  d.touch(1000);
  d.touch(5000);
  assert.equal(d.composeMs(8000), 7000);
  d.begin();
  d.finish(true);
  assert.equal(d.composeMs(9000), 0);
});

test("errors map to the reader-facing messages", () => {
  const t = LOCALES.en;
  assert.equal(errorText(t, new ApiError(409, "duplicate", "dup")), t.duplicate);
  assert.equal(errorText(t, new ApiError(429, "rate_limited", "slow", {}, 30)), t.rateLimited);
  assert.equal(errorText(t, new ApiError(422, "closed", "closed")), t.closed);
  assert.equal(errorText(t, new ApiError(403, "sanctioned", "Suspended until Monday: spam.")), "You cannot comment on this site: Suspended until Monday: spam.");
  assert.equal(errorText(t, new ApiError(0, "network", "offline")), t.network);
  assert.equal(errorText(t, new ApiError(422, "invalid", "The body is empty.")), "Your comment could not be sent: The body is empty.");
  assert.equal(errorText(LOCALES.hy, new ApiError(409, "duplicate", "dup")), LOCALES.hy.duplicate);
  assert.equal(errorText(t, new Error("x")), t.network);
});
