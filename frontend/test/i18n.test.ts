import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { LOCALES, fmt, format, languages, matchLocale, pickLocale, sprintf } from "../src/i18n";

test("matchLocale normalizes tags to bundled locales", () => {
  assert.equal(matchLocale("ru-RU"), "ru");
  assert.equal(matchLocale("AZ-Latn-AZ"), "az");
  assert.equal(matchLocale("hy_AM"), "hy");
  assert.equal(matchLocale(" tr "), "tr");
  assert.equal(matchLocale("fr"), "");
  assert.equal(matchLocale(""), "");
  assert.equal(matchLocale(null), "");
});

test("pickLocale: data-locale, then site locale, then page lang, then en", () => {
  assert.equal(pickLocale("hy", "ru", "tr"), "hy");
  assert.equal(pickLocale("", "ru", "tr"), "ru");
  assert.equal(pickLocale(undefined, "", "tr-TR"), "tr");
  assert.equal(pickLocale("xx", "yy", "az"), "az", "unknown tags fall through");
  assert.equal(pickLocale(null, null, null), "en");
  assert.equal(pickLocale("de", "fr", "it"), "en");
});

// The bundle's text is the catalog's: every widget key of every language
// file, so a string added to ../i18n/locales reaches the widget and one
// missing there fails here (the Go tests check the catalog itself).
test("every locale has every widget message from the catalog", () => {
  const dir = new URL("../../i18n/locales/en/", import.meta.url);
  const en: Record<string, unknown> = {};
  for (const f of readdirSync(dir)) Object.assign(en, JSON.parse(readFileSync(new URL(f, dir), "utf8")));
  const widgetKeys = Object.keys(en).filter((k) => k.startsWith("widget.")).map((k) => k.slice(7));
  assert.ok(widgetKeys.length > 50, `${widgetKeys.length} widget keys`);
  assert.deepEqual(Object.keys(LOCALES), ["en", "ru", "hy", "az", "tr"]);
  for (const [name, m] of Object.entries(LOCALES)) {
    const rec = m as unknown as Record<string, unknown>;
    for (const k of widgetKeys) {
      const v = rec[k];
      assert.ok((typeof v === "string" && v.trim()) || typeof v === "function", `${name}.${k}`);
    }
    assert.deepEqual(Object.keys(m.reasons).sort(), ["hate_speech", "obscenity", "off_topic", "other", "personal_attack", "spam"]);
    assert.deepEqual(Object.keys(m.names).sort(), ["az", "en", "hy", "ru", "tr"]);
    assert.equal(m.lang, name);
    assert.equal(m.dir, "ltr");
  }
});

test("non-English locales are translated, not copies of English", () => {
  const en = LOCALES.en;
  for (const name of ["ru", "hy", "az", "tr"]) {
    const m = LOCALES[name];
    for (const k of ["policy", "send", "pendingNotice", "duplicate", "heading", "loadMore", "report", "reportHeading", "reportThanks", "reportAlready", "reportNote"] as const) {
      assert.notEqual(m[k], en[k], `${name}.${k} is untranslated`);
    }
  }
});

test("scripts match the language", () => {
  assert.match(LOCALES.hy.policy, /^[\u0531-\u058F\s.,։՝՛՜՞«»()\-–]+$/u, "Armenian policy uses Armenian script");
  assert.match(LOCALES.ru.policy, /[а-яё]/);
  assert.match(LOCALES.az.policy, /ə/, "Azerbaijani uses schwa");
  assert.match(LOCALES.tr.policy, /ı/, "Turkish uses dotless i");
});

test("placeholders survive translation", () => {
  for (const [name, m] of Object.entries(LOCALES)) {
    for (const k of ["replyHeading", "signedInAs", "reasonLabel", "sanctioned", "genericError", "reportError"] as const) {
      assert.match(m[k], /%s/, `${name}.${k}`);
    }
  }
});

test("count uses each language's CLDR plural forms", () => {
  const ru = LOCALES.ru.count;
  assert.equal(ru(1), "1 комментарий");
  assert.equal(ru(2), "2 комментария");
  assert.equal(ru(4), "4 комментария");
  assert.equal(ru(5), "5 комментариев");
  assert.equal(ru(11), "11 комментариев");
  assert.equal(ru(12), "12 комментариев");
  assert.equal(ru(21), "21 комментарий");
  assert.equal(ru(22), "22 комментария");
  assert.equal(ru(111), "111 комментариев");
  assert.equal(ru(0), "0 комментариев");
  assert.equal(LOCALES.en.count(1), "1 comment");
  assert.equal(LOCALES.en.count(0), "0 comments");
  assert.equal(LOCALES.en.count(1500), "1,500 comments");
  assert.equal(LOCALES.tr.count(3), "3 yorum");
  assert.equal(LOCALES.az.count(3), "3 şərh");
  assert.equal(LOCALES.hy.count(3), "3 մեկնաբանություն");
});

test("sprintf follows Go's verbs", () => {
  assert.equal(sprintf("en", "%s and %s", "a", "b"), "a and b");
  assert.equal(sprintf("en", "%[2]s before %[1]s", "a", "b"), "b before a");
  assert.equal(sprintf("en", "100%% of %d", 3), "100% of 3");
  assert.equal(sprintf("en", "%s stays", ), "%s stays", "a missing argument leaves the verb");
  assert.equal(fmt("Hi %s", "%s"), "Hi %s", "arguments are not formatted again");
});

test("plural entries: exact cases and named parts", () => {
  const e = { one: "%d one", "=0": "none", other: "%d many" };
  assert.equal(format("en", e, 0), "none");
  assert.equal(format("en", e, 1), "1 one");
  assert.equal(format("en", e, 7), "7 many");
  const v = { msg: "${a} by ${b}", vars: { a: { arg: 1, one: "%[1]d note", other: "%[1]d notes" }, b: { arg: 2, one: "%[2]d reader", other: "%[2]d readers" } } };
  assert.equal(format("en", v, 1, 3), "1 note by 3 readers");
  assert.equal(format("en", v, 2, 1), "2 notes by 1 reader");
});

test("language names: the menu lists each language in itself", () => {
  assert.deepEqual(languages().map((l) => l.name), ["English", "Русский", "Հայերեն", "Azərbaycan dili", "Türkçe"]);
  assert.equal(LOCALES.ru.names.hy, "армянский");
  assert.equal(LOCALES.hy.names.en, "անգլերեն");
});

test("dates: hy and az use day.month.year, others use Intl", async () => {
  const { dottedDate } = await import("../src/messages");
  assert.equal(dottedDate(new Date(2026, 10, 7, 3, 5)), "07.11.2026, 03:05");
  assert.equal(LOCALES.hy.date, dottedDate);
  assert.equal(LOCALES.az.date, dottedDate);
  for (const l of ["en", "ru", "tr"]) assert.equal(typeof LOCALES[l].date, "object", l);
});
