import { test } from "node:test";
import assert from "node:assert/strict";
import { ApiError } from "../src/api";
import { LOCALES } from "../src/i18n";
import { REASONS, canReport, reasonOption, reportOutcome } from "../src/report";
import type { Comment } from "../src/thread";

const c = (over: Partial<Comment> = {}): Comment => ({ id: "c1", author: { name: "Ani" }, html: "<p>x</p>", created_at: "2026-11-27T10:00:00Z", ...over });

test("only published comments that are not the viewer's own can be reported", () => {
  assert.equal(canReport(c(), false), true, "a public comment has no status");
  assert.equal(canReport(c({ status: "approved" }), false), true);
  assert.equal(canReport(c({ status: "approved", own: true }), false), false, "own: true from the server");
  assert.equal(canReport(c({ status: "approved" }), true), false, "posted from this browser");
  assert.equal(canReport(c({ own: false }), false), true);
  for (const status of ["pending", "rejected", "spam"] as const) assert.equal(canReport(c({ status }), false), false, status);
});

test("the form lists the six policy reasons in the dashboard's words", () => {
  assert.deepEqual([...REASONS].sort(), Object.keys(LOCALES.en.reasons).sort());
  assert.equal(reasonOption(LOCALES.en, "off_topic"), "Off topic");
  assert.equal(reasonOption(LOCALES.ru, "hate_speech"), "Язык вражды");
  assert.equal(reasonOption(LOCALES.hy, "personal_attack"), "Անձնական հարձակում");
  assert.equal(reasonOption(LOCALES.az, "personal_attack"), "Şəxsi hücum");
  assert.equal(reasonOption(LOCALES.tr, "obscenity"), "Müstehcenlik");
});

test("report outcomes map to the reader-facing messages", () => {
  const t = LOCALES.en;
  assert.deepEqual(reportOutcome(t, null), { text: "Thank you. A moderator will review this comment.", done: true, error: false });
  assert.deepEqual(reportOutcome(t, new ApiError(409, "conflict", "x")), { text: "You already reported this comment.", done: true, error: false });
  assert.deepEqual(reportOutcome(t, new ApiError(429, "rate_limited", "x", {}, 30)), { text: t.rateLimited, done: false, error: true });
  assert.deepEqual(reportOutcome(t, new ApiError(404, "not_found", "Comment not found.")), {
    text: "Your report could not be sent: Comment not found.",
    done: false,
    error: true,
  });
  assert.deepEqual(reportOutcome(t, new ApiError(0, "network", "offline")), { text: t.reportNetwork, done: false, error: true });
  assert.deepEqual(reportOutcome(t, new TypeError("x")), { text: t.reportNetwork, done: false, error: true });
  assert.equal(reportOutcome(LOCALES.ru, new ApiError(409, "conflict", "x")).text, "Вы уже пожаловались на этот комментарий.");
});
