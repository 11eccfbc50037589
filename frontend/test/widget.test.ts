import { test } from "node:test";
import assert from "node:assert/strict";
import type { ThreadPage } from "../src/api";
import { LOCALES } from "../src/i18n";
import { countText, policyText, widgetLocale } from "../src/widget";

const page = (over: Partial<ThreadPage> = {}): ThreadPage => ({
  comments: [],
  next_cursor: "",
  count: 0,
  story: null,
  site: { id: "demo", name: "Demo", policy_text: "", locale: "", guests_allowed: true, edit_window_seconds: 900 },
  viewer: null,
  ...over,
});

test("the policy box fits the thread's state", () => {
  const en = LOCALES.en;
  assert.match(policyText(page(), en), /^Start the conversation\. Authors, please log in\. All comments are reviewed/);
  const busy = policyText(page({ count: 12, story: { id: "s", title: "", closed: false } }), en);
  assert.ok(!busy.includes("Start the conversation"), busy);
  assert.match(busy, /^Authors, please log in\. All comments/);
  const signedIn = policyText(page({ count: 3, viewer: { name: "Ani", role: "" } }), en);
  assert.match(signedIn, /^All comments are reviewed by a moderator\./);
  const closed = policyText(page({ story: { id: "s", title: "", closed: true } }), en);
  assert.ok(!closed.includes("Start the conversation"), "no invitation on a closed story");
  assert.match(policyText(page({ count: 2 }), LOCALES.hy), /^Հեղինակներ, խնդրում ենք մուտք գործել։/);
  const site = page({ site: { ...page().site, policy_text: "House rules.", policy_texts: { hy: "Կանոններ։" } } });
  assert.equal(policyText(site, en), "House rules.");
  assert.equal(policyText(site, LOCALES.hy), "Կանոններ։");
});

test("the header never says 0 comments beside the reader's own pending comment", () => {
  assert.equal(countText(LOCALES.en, 0, 0), "0 comments");
  assert.equal(countText(LOCALES.en, 0, 1), "1 of yours awaiting moderation");
  assert.equal(countText(LOCALES.en, 5, 1), "5 comments · 1 of yours awaiting moderation");
  assert.equal(countText(LOCALES.ru, 0, 2), "2 ваших комментария ждут проверки");
  assert.equal(countText(LOCALES.ru, 21, 0), "21 комментарий");
});

test("language: the reader's choice, then data-locale, the story's, the site's, the page's", () => {
  assert.equal(widgetLocale("hy", "ru", "tr", "az", "en"), "hy");
  assert.equal(widgetLocale("", "ru", "tr", "az", "en"), "ru");
  assert.equal(widgetLocale("", "", "tr", "az", "en"), "tr");
  assert.equal(widgetLocale("", "", "", "az", "en"), "az");
  assert.equal(widgetLocale("", "", null, "", "hy-AM"), "hy");
  assert.equal(widgetLocale("xx", "", null, null, null), "en");
});
