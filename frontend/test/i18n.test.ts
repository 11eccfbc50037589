import { test } from "node:test";
import assert from "node:assert/strict";
import { LOCALES, fmt, matchLocale, pickLocale } from "../src/i18n";

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

test("every locale defines every message", () => {
  const keys = Object.keys(LOCALES.en).sort();
  for (const [name, m] of Object.entries(LOCALES)) {
    assert.deepEqual(Object.keys(m).sort(), keys, `${name} keys`);
    for (const k of keys) {
      const v = (m as unknown as Record<string, unknown>)[k];
      if (typeof v === "string") assert.ok(v.trim().length > 0, `${name}.${k} is empty`);
    }
    assert.deepEqual(Object.keys(m.reasons).sort(), Object.keys(LOCALES.en.reasons).sort(), `${name} reasons`);
    assert.equal(m.lang, name);
    assert.ok(m.dir === "ltr" || m.dir === "rtl");
  }
});

test("non-English locales are translated, not copies of English", () => {
  const en = LOCALES.en;
  for (const name of ["ru", "hy", "az", "tr"]) {
    const m = LOCALES[name];
    for (const k of ["policy", "send", "pendingNotice", "duplicate", "heading", "loadMore", "report", "reportHeading", "reportThanks", "reportAlready", "reportNote"] as const) {
      assert.notEqual(m[k], en[k], `${name}.${k} is untranslated`);
    }
    for (const r of Object.keys(en.reasons) as Array<keyof typeof en.reasons>) {
      if (r !== "spam") assert.notEqual(m.reasons[r], en.reasons[r], `${name} reason ${r}`);
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
    assert.match(m.replyHeading, /\{name\}/, `${name}.replyHeading`);
    assert.match(m.signedInAs, /\{name\}/, `${name}.signedInAs`);
    assert.match(m.reasonLabel, /\{reason\}/, `${name}.reasonLabel`);
    assert.match(m.sanctioned, /\{message\}/, `${name}.sanctioned`);
    assert.match(m.genericError, /\{message\}/, `${name}.genericError`);
    assert.match(m.reportError, /\{message\}/, `${name}.reportError`);
  }
});

test("count uses each language's plural forms", () => {
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
  assert.equal(LOCALES.tr.count(3), "3 yorum");
  assert.equal(LOCALES.az.count(3), "3 şərh");
  assert.equal(LOCALES.hy.count(3), "3 մեկնաբանություն");
});

test("fmt fills known placeholders and leaves unknown ones", () => {
  assert.equal(fmt("Hi {name}, {n}", { name: "Ani", n: 3 }), "Hi Ani, 3");
  assert.equal(fmt("{x} stays", {}), "{x} stays");
});

test("dates: hy and az use day.month.year, others use Intl", async () => {
  const { dottedDate } = await import("../src/messages");
  assert.equal(dottedDate(new Date(2026, 10, 7, 3, 5)), "07.11.2026, 03:05");
  assert.equal(LOCALES.hy.date, dottedDate);
  assert.equal(LOCALES.az.date, dottedDate);
  for (const l of ["en", "ru", "tr"]) assert.equal(typeof LOCALES[l].date, "object", l);
});
