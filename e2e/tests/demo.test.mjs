// Browser test of the demo (issue 18): `parley serve --demo` shows a
// multilingual thread with replies and staff and author badges, a queue
// with flagged comments in every language with evidence, a moderator login
// that is only a moderator and a separate admin login (both in the file the
// demo names), and a favicon. Screenshots in en and hy go to e2e/output/demo/.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { launchBrowser, outputDir as widgetOutput, until } from "../lib/harness.mjs";
import { startParley } from "../lib/server.mjs";

const outputDir = join(widgetOutput, "demo");
let srv;
let browser;
let logins;

before(async () => {
  mkdirSync(outputDir, { recursive: true });
  srv = await startParley("parley-demo-e2e-", { seed: true });
  browser = await launchBrowser();
  const file = /demo logins \(moderator, and a separate admin\): (\S+)/.exec(srv.stdout())?.[1];
  assert.ok(file, `the demo says where its logins are:\n${srv.stdout()}`);
  const text = readFileSync(file, "utf8");
  logins = Object.fromEntries([...text.matchAll(/^(moderator|admin)\s+(\S+) \/ (\S+)$/gm)].map((m) => [m[1], { email: m[2], password: m[3] }]));
  assert.ok(logins.moderator && logins.admin, text);
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function logIn(page, who) {
  await page.goto(`${srv.base}/moderation/login?next=${encodeURIComponent("/moderation/s/demo")}`);
  await page.getByLabel("Email").fill(logins[who].email);
  await page.getByLabel("Password").fill(logins[who].password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((u) => u.pathname === "/moderation/s/demo");
}

test("the demo article shows a multilingual thread with replies and badges", async () => {
  const ctx = await browser.newContext({ viewport: { width: 900, height: 1400 } });
  const page = await ctx.newPage();
  await page.goto(srv.base + "/");
  const arts = page.locator("#parley-comments article");
  await until(async () => (await arts.count()) >= 9, "the seeded thread");
  const w = page.locator("#parley-comments");
  assert.ok((await w.locator(".badge", { hasText: "Author" }).count()) >= 1, "an author badge");
  assert.ok((await w.locator(".badge", { hasText: "Staff" }).count()) >= 1, "a staff badge");
  assert.ok((await w.locator("ol ol article").count()) >= 3, "nested replies");
  const all = await arts.allTextContents();
  for (const re of [/night train/, /Отличная новость/, /Շատ լավ հոդված/, /Çox gözəl/, /Bu yazı çok güzel/]) assert.ok(all.some((t) => re.test(t)), `${re}`);
  assert.match(await w.locator(".policy").first().textContent(), /^Authors, please log in\./, "no 'Start the conversation' under a busy thread");
  await w.screenshot({ path: join(outputDir, "demo-thread-en.png") });
  await w.locator("select.lang").selectOption("hy");
  await until(async () => (await w.locator("h2").first().textContent()) === "Մեկնաբանություններ", "Armenian");
  await w.screenshot({ path: join(outputDir, "demo-thread-hy.png") });
  const icon = await fetch(srv.base + "/favicon.ico");
  assert.equal(icon.status, 200);
  assert.equal(icon.headers.get("content-type"), "image/x-icon");
  await ctx.close();
});

test("the demo moderator sees a queue of flagged comments in every language and is not an admin; the admin is", async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await ctx.newPage();
  await logIn(page, "moderator");
  const items = page.locator("#queue .item");
  assert.ok((await items.count()) >= 20, "a full queue");
  assert.ok((await page.locator("#queue .item mark.ev").count()) >= 20, "evidence highlighted");
  const langs = await page.locator("#queue .lang-tag").allTextContents();
  for (const name of ["English", "Russian", "Armenian", "Azerbaijani", "Turkish"]) assert.ok(langs.some((l) => l.includes(name)), `a ${name} comment`);
  assert.ok(Number(await page.locator('[data-count="reported"]').innerText()) >= 1, "a reported comment");
  await page.screenshot({ path: join(outputDir, "demo-queue-en.png") });
  await page.goto(`${srv.base}/moderation/s/demo?lang=hy`);
  await page.screenshot({ path: join(outputDir, "demo-queue-hy.png") });
  await page.goto(`${srv.base}/moderation/s/demo/sanctions?lang=en`);
  assert.equal(await page.locator('form[action$="/settings"]').count(), 0, "the moderator cannot change site settings");
  assert.match(await page.locator("main").innerText(), /Only the site's admins can change/);
  await ctx.close();

  const actx = await browser.newContext();
  const apage = await actx.newPage();
  await logIn(apage, "admin");
  await apage.goto(`${srv.base}/moderation/s/demo/sanctions`);
  assert.equal(await apage.locator('form[action$="/settings"]').count(), 1, "the admin can");
  await actx.close();
});
