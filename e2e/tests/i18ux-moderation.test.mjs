// Browser tests of issue 18 in the dashboard: the low-risk lane, the
// Reported queue (reports grouped, Keep dismisses them, sanction a
// reporter), no default reject reason, per-tab bulk actions, fresh author
// history after a decision, and the dashboard in Turkish and Armenian with
// language names. Screenshots (en and hy) go to e2e/output/moderation/.

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { apiDecide, launchBrowser, modComment, outputDir, post, signIn, sleep, startServer, UNDO_MS, until } from "../lib/moderation.mjs";

let srv;
let browser;

before(async () => {
  mkdirSync(outputDir, { recursive: true });
  srv = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

const queueURL = (query) => `/moderation/s/demo?${new URLSearchParams(query)}`;
const currentId = (page) => page.evaluate(() => document.querySelector("#queue .item.current")?.dataset.id || "");

/** Report a comment through the public API as a distinct guest. */
async function report(id, n, reason, note = "") {
  const r = await fetch(`${srv.base}/api/v1/comments/${encodeURIComponent(id)}/report`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Parley-Guest-Token": `pg_e2e_reporter_${n}_${Date.now()}` },
    body: JSON.stringify({ reason, note }),
  });
  if (r.status !== 201 && r.status !== 200) throw new Error(`report: ${r.status} ${await r.text()}`);
}

test("the low-risk lane: a page of clean comments in five languages, one key approves the ticked ones", async () => {
  const clean = [
    "Does anyone know whether the Friday train stops in Sadakhlo?",
    "Спасибо за статью. Подскажите, можно ли купить билеты онлайн?",
    "Շնորհակալություն, շատ օգտակար տեղեկություն է։",
    "Çox gözəl məqalədir, təşəkkür edirəm.",
    "Bu yazı çok güzel olmuş, emeğinize sağlık.",
  ];
  const ids = [];
  for (const [i, body] of clean.entries()) ids.push((await post(srv, { story: "lowrisk", body, name: `Calm ${i}`, email: `calm${i}@example.org` })).id);
  const toxic = await post(srv, { story: "lowrisk", body: "You are a pathetic idiot and nobody wants your garbage opinions.", name: "Rude", email: "rude@example.org" });
  const { ctx, page, problems } = await signIn(browser, srv, "mod1@example.com", queueURL({ status: "lowrisk" }));
  await until(async () => (await page.locator("#queue .item").count()) >= clean.length, "the clean comments in the lane");
  const listed = await page.locator("#queue .item").evaluateAll((els) => els.map((e) => e.dataset.id));
  for (const id of ids) assert.ok(listed.includes(id), `clean comment ${id} is in the lane`);
  assert.ok(!listed.includes(toxic.id), "the toxic comment is not");
  assert.equal(await page.locator("#queue .item input.sel:checked").count(), listed.length, "every item is ticked");
  assert.match(await page.locator(".lowrisk-found").innerText(), new RegExp(`^${listed.length} comments that the classifier`));
  await page.screenshot({ path: join(outputDir, "lowrisk-en.png") });
  await page.goto(srv.base + queueURL({ status: "lowrisk", lang: "hy" }));
  assert.match(await page.locator(".approve-ticked").innerText(), /Հաստատել նշվածները/);
  await page.screenshot({ path: join(outputDir, "lowrisk-hy.png") });
  await page.goto(srv.base + queueURL({ status: "lowrisk", lang: "en" }));
  await until(async () => (await currentId(page)) !== "", "a current item");

  // Untick the first one for a closer look; one key approves the rest.
  const held = await currentId(page);
  await page.keyboard.press("x");
  assert.equal(await page.locator(`#c-${held} input.sel`).isChecked(), false);
  await page.keyboard.press("a");
  const approved = listed.filter((id) => id !== held);
  await until(async () => {
    for (const id of approved) if ((await modComment(srv, id)).status !== "approved") return false;
    return true;
  }, "the ticked comments to be approved", UNDO_MS + 20000);
  assert.equal((await modComment(srv, held)).status, "pending", "the unticked comment waits");
  assert.deepEqual(problems, []);
  await ctx.close();
});

test("the Reported queue shows every report grouped by reason; Keep dismisses them; a reporter can be sanctioned", async () => {
  const c = await post(srv, { story: "reported", body: "The council should have published the budget a month earlier.", name: "Vardan", email: "vardan@example.org" });
  await apiDecide(srv, c.id, "approve");
  await report(c.id, 1, "personal_attack", "Calls the council liars.");
  await report(c.id, 2, "personal_attack");
  await report(c.id, 3, "spam", "Same text on every story.");
  const { ctx, page, problems } = await signIn(browser, srv, "mod1@example.com", queueURL({ status: "reported" }));
  const item = page.locator(`#c-${c.id}`);
  await item.waitFor();
  assert.equal(await item.locator(".reports h4").innerText(), "Reported by readers 3 times");
  const groups = await item.locator(".report-group").evaluateAll((els) => els.map((e) => [e.dataset.reason, e.querySelectorAll("li.report").length]));
  assert.deepEqual(groups, [["personal_attack", 2], ["spam", 1]]);
  assert.match(await item.locator(".reports").innerText(), /Calls the council liars\.[\s\S]*Same text on every story\./);
  assert.equal(await item.locator("time").count() >= 4, true, "each report has its time");
  assert.equal(await item.locator("button.keep").innerText(), "Keep, dismiss reports a");
  await item.screenshot({ path: join(outputDir, "reported-en.png") });
  await page.goto(srv.base + queueURL({ status: "reported", lang: "hy" }));
  assert.equal(await page.locator(`#c-${c.id} .reports h4`).innerText(), "Ընթերցողները բողոքել են 3 անգամ");
  await page.locator(`#c-${c.id}`).screenshot({ path: join(outputDir, "reported-hy.png") });
  await page.goto(srv.base + queueURL({ status: "reported", lang: "en" }));

  // Sanction the spam reporter: their report is dismissed, the others stay.
  await page.locator(`#c-${c.id} .report-group[data-reason="spam"] button`).click();
  await page.waitForURL((u) => u.searchParams.get("done") === "reporter_sanctioned");
  assert.equal(await page.locator(`#c-${c.id} .reports h4`).innerText(), "Reported by readers 2 times");
  // Keep: one key; the count resets and the comment stays published.
  await until(async () => (await currentId(page)) === c.id, "the reported item to be current");
  await page.keyboard.press("a");
  await until(async () => (await modComment(srv, c.id)).report_count === 0, "the reports to be dismissed", UNDO_MS + 20000);
  assert.equal((await modComment(srv, c.id)).status, "approved");
  await until(async () => (await page.locator('[data-count="reported"]').innerText()) === "0", "the Reported count to drop");
  assert.deepEqual(problems, []);
  await ctx.close();
});

test("no default reason: r then Enter does nothing for an unflagged comment; a digit picks the reason; each tab's bulk bar fits it", async () => {
  const c = await post(srv, { story: "noreason", body: "I think the new timetable is fine, but Sundays need more trains.", name: "Lusine", email: "lusine@example.org" });
  const { ctx, page, problems } = await signIn(browser, srv, "mod1@example.com", queueURL({ story: c.story_id }));
  await until(async () => (await currentId(page)) === c.id, "the comment to be current");
  assert.equal(await page.locator(`#c-${c.id} select.reason`).inputValue(), "", "no reason preselected");
  await page.keyboard.press("r");
  assert.match(await page.locator("#toast-text").innerText(), /press 1–6 for a reason, Esc to cancel/);
  await page.keyboard.press("Enter");
  await sleep(UNDO_MS + 1500);
  assert.equal(await page.locator(`#c-${c.id}`).isVisible(), true, "Enter alone decided nothing");
  assert.equal((await modComment(srv, c.id)).status, "pending");
  await page.keyboard.press("5");
  await until(async () => (await modComment(srv, c.id)).status === "rejected", "rejected with the picked reason", UNDO_MS + 20000);
  assert.equal((await modComment(srv, c.id)).reason, "off_topic");

  const actions = async (status) => {
    await page.goto(srv.base + queueURL({ status }));
    return page.locator("#bulk button[name=action]").evaluateAll((els) => els.map((e) => e.value));
  };
  assert.deepEqual(await actions("rejected"), ["approve", "spam"]);
  assert.deepEqual(await actions("approved"), ["reject", "spam"]);
  assert.deepEqual(await actions("spam"), ["approve", "reject"]);
  assert.deepEqual(await actions("pending"), ["approve", "reject", "spam"]);
  assert.equal(await page.locator("#bulk select[name=reason]").inputValue(), "", "the bulk bar preselects no reason");
  await page.screenshot({ path: join(outputDir, "bulk-bar-en.png") });
  await page.goto(srv.base + queueURL({ status: "pending", lang: "hy" }));
  assert.equal(await page.locator("html").getAttribute("lang"), "hy");
  assert.equal(await page.locator("#bulk select[name=reason]").inputValue(), "", "no reason preselected in hy either");
  await page.screenshot({ path: join(outputDir, "bulk-bar-hy.png") });
  assert.deepEqual(problems, []);
  await ctx.close();
});

test("after a decision the same author's next item shows the fresh history", async () => {
  const email = "twice@example.org";
  const a = await post(srv, { story: "history", body: "First comment from a reader who writes twice.", name: "Twice", email });
  const b = await post(srv, { story: "history", body: "Second comment from the same reader, later.", name: "Twice", email });
  const { ctx, page, problems } = await signIn(browser, srv, "mod1@example.com", queueURL({ story: a.story_id }));
  await until(async () => (await currentId(page)) === a.id, "the first comment to be current");
  assert.match(await page.locator(`#c-${b.id} .history`).innerText(), /0 rejected/);
  await page.keyboard.press("r");
  await page.keyboard.press("6");
  await until(async () => /1 rejected/.test(await page.locator(`#c-${b.id} .history`).innerText()), "the next item's history to update without a reload", UNDO_MS + 20000);
  assert.deepEqual(problems, []);
  await ctx.close();
});

test("the dashboard in Turkish and Armenian names languages in the moderator's language", async () => {
  const c = await post(srv, { story: "langs", body: "Ինչպե՞ս կարելի է տոմս գնել առցանց։", name: "Gor", email: "gor@example.org" });
  const { ctx, page, problems } = await signIn(browser, srv, "mod1@example.com", queueURL({ story: c.story_id, lang: "tr" }));
  await page.locator(`#c-${c.id}`).waitFor();
  assert.equal(await page.locator("html").getAttribute("lang"), "tr");
  assert.equal(await page.locator(`#c-${c.id} .lang-tag`).innerText(), "Dil: Ermenice");
  assert.match(await page.locator("nav.tabs").innerText(), /Bekliyor[\s\S]*Düşük risk[\s\S]*Şikâyet edildi/);
  await page.goto(srv.base + queueURL({ story: c.story_id, lang: "hy" }));
  assert.equal(await page.locator(`#c-${c.id} .lang-tag`).innerText(), "Լեզու: հայերեն");
  // The score bars line up although the Armenian labels differ in length.
  const xs = await page.locator(`#c-${c.id} .scores meter`).evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().left)));
  assert.ok(xs.length >= 4 && new Set(xs).size === 1, `score bars start at ${xs}`);
  await page.screenshot({ path: join(outputDir, "queue-hy.png") });
  await page.goto(srv.base + queueURL({ story: c.story_id, lang: "en" }));
  assert.equal(await page.locator(`#c-${c.id} .lang-tag`).innerText(), "Language: Armenian");
  await page.screenshot({ path: join(outputDir, "queue-en.png") });
  assert.deepEqual(problems, []);
  await ctx.close();
});

test("a refusal from the service reaches an Armenian moderator in Armenian", async () => {
  const { ctx, page, problems } = await signIn(browser, srv, "mod1@example.com", "/moderation/s/demo/sanctions?lang=hy");
  await page.locator("input[name=author_key]").fill("e:someone@example.org");
  await page.locator("input[name=kind][value=suspend]").check();
  await page.locator("input[name=until]").fill("2001-01-01");
  await page.locator("form[action$='/sanctions'] button[type=submit]").click();
  await page.locator("#page-error").waitFor();
  assert.equal(await page.locator("#page-error").innerText(), "Ժամանակավոր արգելափակման համար անհրաժեշտ է ապագայում ավարտի ամսաթիվ։");
  await page.screenshot({ path: join(outputDir, "error-hy.png") });
  assert.deepEqual(problems, []);
  await ctx.close();
});
