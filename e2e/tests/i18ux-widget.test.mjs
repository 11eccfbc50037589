// Browser tests of issue 18 in the widget: the reader's language switch
// (remembered on the device), a story's own locale, the guest's email
// remembered after a reload, the header count beside the reader's own
// pending comment, and the policy box following the thread. Screenshots in
// en and hy go to e2e/output/.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { commentId, fillComment, launchBrowser, mainForm, moderate, newReader, openArticle, outputDir, startServer, until, widgetReady } from "../lib/harness.mjs";

let srv;
let browser;
const pages = new Map();
let n = 0;

function story(opts = {}) {
  const slug = `i18-${++n}-${Date.now().toString(36)}`;
  pages.set(slug, { story: `https://demo.parley.example/e2e/${slug}`, title: `Language story ${n}`, ...opts });
  return slug;
}

const text = (page, sel) => page.locator(`#parley-comments ${sel}`).first().textContent();

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  mkdirSync(outputDir, { recursive: true });
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

/** Post a comment through the widget and return its id. */
async function postVia(page, body, who = { name: "Ani", email: "ani@example.com" }) {
  const form = mainForm(page);
  await fillComment(form, { ...who, body });
  await form.locator("button[type=submit]").click();
  await until(async () => (await page.locator("#parley-comments article", { hasText: body }).count()) === 1, "the posted comment");
  return commentId(page, body);
}

test("a reader switches the widget's language; the choice survives a reload; an open draft survives the switch", async () => {
  const slug = story();
  const ctx = await newReader(browser, srv, pages, { viewport: { width: 760, height: 900 } });
  const page = await openArticle(ctx, srv, slug);
  const id = await postVia(page, "Night trains are back, finally.");
  await moderate(srv, id, "approve");
  await page.reload();
  await widgetReady(page);
  const menu = page.locator("#parley-comments select.lang");
  assert.deepEqual(await menu.locator("option").allTextContents(), ["English", "Русский", "Հայերեն", "Azərbaycan dili", "Türkçe"]);
  assert.equal(await text(page, "h2"), "Comments");
  await page.locator("#parley-comments").screenshot({ path: join(outputDir, "widget-switch-en.png") });
  await mainForm(page).locator("textarea").fill("A draft I am still writing");
  await menu.selectOption("hy");
  await until(async () => (await text(page, "h2")) === "Մեկնաբանություններ", "the Armenian heading");
  assert.equal(await page.locator("#parley-comments .root").getAttribute("lang"), "hy");
  assert.equal(await text(page, ".count"), "1 մեկնաբանություն");
  assert.equal(await mainForm(page).locator("textarea").inputValue(), "A draft I am still writing");
  assert.equal(await page.locator("#parley-comments select.lang").evaluate((e) => e.labels[0].textContent), "Լեզու");
  await page.locator("#parley-comments").screenshot({ path: join(outputDir, "widget-switch-hy.png") });
  await page.reload();
  await widgetReady(page);
  assert.equal(await text(page, "h2"), "Մեկնաբանություններ", "remembered on this device");
  // Another device (a fresh context) keeps the page's language.
  const other = await newReader(browser, srv, pages);
  const p2 = await openArticle(other, srv, slug);
  assert.equal(await text(p2, "h2"), "Comments");
  await other.close();
  await ctx.close();
});

test("a story's own locale overrides the site's; the reader's choice still wins", async () => {
  const slug = story();
  const ctx = await newReader(browser, srv, pages);
  const page = await openArticle(ctx, srv, slug);
  const id = await postVia(page, "Первый комментарий к истории.", { name: "Олег", email: "oleg@example.com" });
  const c = await moderate(srv, id, "approve");
  const r = await fetch(`${srv.base}/api/v1/moderation/stories/${encodeURIComponent(c.comment.story_id)}`, {
    method: "PATCH",
    headers: { Authorization: "Bearer " + srv.token, "Content-Type": "application/json" },
    body: JSON.stringify({ locale: "ru" }),
  });
  assert.equal(r.status, 200, await r.text());
  const bad = await fetch(`${srv.base}/api/v1/moderation/stories/${encodeURIComponent(c.comment.story_id)}`, {
    method: "PATCH",
    headers: { Authorization: "Bearer " + srv.token, "Content-Type": "application/json" },
    body: JSON.stringify({ locale: "xx" }),
  });
  assert.equal(bad.status, 422);
  const reader = await newReader(browser, srv, pages);
  const p2 = await openArticle(reader, srv, slug);
  assert.equal(await text(p2, "h2"), "Комментарии", "the story's locale");
  assert.equal(await text(p2, ".count"), "1 комментарий");
  await p2.locator("#parley-comments select.lang").selectOption("tr");
  await until(async () => (await text(p2, "h2")) === "Yorumlar", "the reader's choice");
  await reader.close();
  await ctx.close();
});

test("the widget remembers the guest's email; the header counts the reader's own pending comment; the policy fits the thread", async () => {
  const slug = story();
  const ctx = await newReader(browser, srv, pages);
  const page = await openArticle(ctx, srv, slug);
  assert.match(await text(page, ".policy"), /^Start the conversation\. Authors, please log in\./);
  assert.equal(await text(page, ".count"), "0 comments");
  await postVia(page, "My first comment here.", { name: "Mariam", email: "mariam@example.com" });
  assert.equal(await text(page, ".count"), "1 of yours awaiting moderation");
  await page.reload();
  await widgetReady(page);
  assert.equal(await mainForm(page).locator("input[name=name]").inputValue(), "Mariam");
  assert.equal(await mainForm(page).locator("input[name=email]").inputValue(), "mariam@example.com");
  assert.equal(await text(page, ".count"), "1 of yours awaiting moderation", "not 0 comments beside the reader's pending comment");
  const html = await page.evaluate(() => document.getElementById("parley-comments").shadowRoot.innerHTML);
  assert.ok(!html.includes("mariam@example.com"), "the email is only in the form field, never in the page");
  // A published comment from someone else: the policy no longer invites the
  // reader to start the conversation.
  const other = await newReader(browser, srv, pages);
  const p2 = await openArticle(other, srv, slug);
  await moderate(srv, await postVia(p2, "Someone else's comment.", { name: "Davit", email: "davit@example.com" }), "approve");
  await other.close();
  await page.reload();
  await widgetReady(page);
  assert.equal(await text(page, ".count"), "1 comment · 1 of yours awaiting moderation");
  assert.match(await text(page, ".policy"), /^Authors, please log in\. All comments/);
  await page.locator("#parley-comments").screenshot({ path: join(outputDir, "widget-own-pending-en.png") });
  await page.locator("#parley-comments select.lang").selectOption("hy");
  await until(async () => (await text(page, ".count")).startsWith("1 մեկնաբանություն"), "Armenian count");
  assert.match(await text(page, ".policy"), /^Հեղինակներ, խնդրում ենք մուտք գործել։/);
  await page.locator("#parley-comments").screenshot({ path: join(outputDir, "widget-own-pending-hy.png") });
  await ctx.close();
});

test("the server's refusal comes back in the language the reader chose", async () => {
  const slug = story();
  const ctx = await newReader(browser, srv, pages, { viewport: { width: 760, height: 900 } });
  const page = await openArticle(ctx, srv, slug);
  await page.locator("#parley-comments select.lang").selectOption("hy");
  await until(async () => (await text(page, "h2")) === "Մեկնաբանություններ", "the Armenian heading");
  const form = mainForm(page);
  await fillComment(form, { name: "Անի", email: "ani@example.com", body: "<b></b><i></i>" });
  await form.locator("button[type=submit]").click();
  // The widget's own frame and the server's message, both in Armenian.
  const want = "Չհաջողվեց ուղարկել մեկնաբանությունը՝ Այս մեկնաբանությունից ոչինչ չի երևա. HTML պիտակներն արգելված են։ Խնդրում ենք գրել պարզ տեքստով կամ Markdown-ով։";
  await until(async () => (await form.locator(".status").textContent()) === want, "the Armenian refusal");
  await page.locator("#parley-comments").screenshot({ path: join(outputDir, "widget-error-hy.png") });
  await ctx.close();
});
