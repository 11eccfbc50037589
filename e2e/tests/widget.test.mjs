// End-to-end tests of the comment widget in a real browser against the real
// server. Run with e2e/run.sh (or `npm test` in e2e/ after `npm ci`).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import {
  commentId,
  fillComment,
  focused,
  launchBrowser,
  mainForm,
  moderate,
  newReader,
  openArticle,
  outputDir,
  queue,
  startServer,
  until,
  widgetReady,
} from "../lib/harness.mjs";

const EN = {
  sent: "Thank you. Your comment was sent and is awaiting moderation.",
  pending: "Your comment is awaiting moderation. Only you can see it.",
  duplicate: "You have already sent this comment. It is awaiting review",
};

let srv;
let browser;
const pages = new Map();
let n = 0;

/** Register a test article with a story URL of its own; returns its slug. */
function story(opts = {}) {
  const slug = `s${++n}-${Date.now().toString(36)}`;
  pages.set(slug, { story: `https://demo.parley.example/e2e/${slug}`, title: `E2E story ${n}`, ...opts });
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

describe("widget", () => {
  test("a guest posts, sees the pending notice, reloads and still sees it; nobody else does", async () => {
    const slug = story();
    const ctx = await newReader(browser, srv, pages);
    const page = await openArticle(ctx, srv, slug);
    const body = "First guest comment " + slug;
    const form = mainForm(page);
    await fillComment(form, { name: "Ani", email: "ani@example.com", body });
    await form.locator("button[type=submit]").click();
    await until(async () => (await form.locator(".status").textContent()).includes(EN.sent), "sent message");
    const f = await focused(page);
    assert.equal(f.role, "status", "focus moves to the status message after sending");
    const art = page.locator("#parley-comments article", { hasText: body });
    assert.match(await art.locator(".notice").textContent(), /awaiting moderation/);

    await page.reload();
    await widgetReady(page);
    await until(async () => (await art.count()) === 1, "own pending comment after reload");
    assert.equal(await art.locator(".notice").textContent(), EN.pending);
    const html = await page.evaluate(() => document.getElementById("parley-comments").shadowRoot.innerHTML);
    assert.ok(!html.includes("ani@example.com"), "the email address is never shown");

    const other = await newReader(browser, srv, pages);
    const p2 = await openArticle(other, srv, slug);
    assert.equal(await p2.locator("#parley-comments article", { hasText: body }).count(), 0, "another reader does not see a pending comment");
    assert.equal(await text(p2, ".count"), "0 comments");
    await other.close();
    await ctx.close();
  });

  test("a moderator approves through the API and the comment appears for another reader", async () => {
    const slug = story();
    const ctx = await newReader(browser, srv, pages);
    const page = await openArticle(ctx, srv, slug);
    const body = "Approve me " + slug;
    await fillComment(mainForm(page), { name: "Elvin", email: "elvin@example.com", body });
    await mainForm(page).locator("button[type=submit]").click();
    const id = await commentId(page, body);
    await moderate(srv, id, "approve");

    const other = await newReader(browser, srv, pages);
    const p2 = await openArticle(other, srv, slug);
    const art = p2.locator("#parley-comments article", { hasText: body });
    assert.equal(await art.count(), 1);
    assert.equal(await art.locator(".notice").count(), 0, "no pending notice once approved");
    assert.equal(await text(p2, ".count"), "1 comment");
    assert.match(await art.locator(".name").textContent(), /Elvin/);
    const href = await art.locator("a.plink").getAttribute("href");
    assert.ok(href.endsWith("#parley-comment-" + id), "permalink per comment: " + href);

    // The permalink scrolls to and highlights the comment on load.
    const p3 = await openArticle(other, srv, slug, "#parley-comment-" + id);
    await until(async () => (await p3.locator(`#parley-comments #parley-comment-${id}.hl`).count()) === 1, "highlighted permalink target");
    await other.close();
    await ctx.close();
  });

  test("a rejected comment shows its reason to its author only", async () => {
    const slug = story();
    const ctx = await newReader(browser, srv, pages);
    const page = await openArticle(ctx, srv, slug);
    const body = "Reject me please " + slug;
    await fillComment(mainForm(page), { name: "Murat", email: "murat@example.com", body });
    await mainForm(page).locator("button[type=submit]").click();
    const id = await commentId(page, body);
    await moderate(srv, id, "reject", { reason: "personal_attack", note: "e2e" });

    await page.reload();
    await widgetReady(page);
    const notice = page.locator("#parley-comments article", { hasText: body }).locator(".notice.rejected");
    await until(async () => (await notice.count()) === 1, "rejection notice");
    assert.equal(await notice.textContent(), "Your comment was not published. Reason: Personal attack");

    const other = await newReader(browser, srv, pages);
    const p2 = await openArticle(other, srv, slug);
    assert.equal(await p2.locator("#parley-comments article").count(), 0, "nobody else sees a rejected comment");
    const html = await p2.evaluate(() => document.getElementById("parley-comments").shadowRoot.innerHTML);
    assert.ok(!html.includes(body) && !html.includes("Reason:") && !html.includes("not published"), "no trace of the rejected comment");
    await other.close();
    await ctx.close();
  });

  test("a double click sends one comment", async () => {
    const slug = story();
    const ctx = await newReader(browser, srv, pages);
    const page = await openArticle(ctx, srv, slug);
    let posts = 0;
    page.on("request", (r) => {
      if (r.method() === "POST" && r.url().endsWith("/api/v1/comments")) posts++;
    });
    const body = "Double click " + slug;
    const form = mainForm(page);
    await fillComment(form, { name: "Nare", email: "nare@example.com", body });
    await form.locator("button[type=submit]").dblclick();
    await until(async () => (await form.locator(".status").textContent()).includes(EN.sent), "sent message");
    assert.equal(posts, 1, "exactly one POST request");
    const stored = (await queue(srv, "pending")).filter((c) => c.body === body);
    assert.equal(stored.length, 1, "exactly one stored comment");
    assert.equal(await page.locator("#parley-comments article", { hasText: body }).count(), 1);
    await ctx.close();
  });

  test("a duplicate resubmission is told it is already awaiting review", async () => {
    const slug = story();
    const ctx = await newReader(browser, srv, pages);
    const page = await openArticle(ctx, srv, slug);
    const body = "Say it twice " + slug;
    const form = mainForm(page);
    await fillComment(form, { name: "Leyla", email: "leyla@example.com", body });
    await form.locator("button[type=submit]").click();
    await until(async () => (await form.locator(".status").textContent()).includes(EN.sent), "first send");
    await fillComment(form, { body });
    await form.locator("button[type=submit]").click();
    await until(async () => (await form.locator(".status").textContent()).includes(EN.duplicate), "duplicate message");
    assert.equal((await focused(page)).role, "status");
    assert.equal((await queue(srv, "pending")).filter((c) => c.body === body).length, 1);
    await ctx.close();
  });

  test("a reply nests under its parent", async () => {
    const slug = story();
    const a = await newReader(browser, srv, pages);
    const pa = await openArticle(a, srv, slug);
    const parent = "Parent comment " + slug;
    await fillComment(mainForm(pa), { name: "Parent", email: "parent@example.com", body: parent });
    await mainForm(pa).locator("button[type=submit]").click();
    const pid = await commentId(pa, parent);
    await moderate(srv, pid, "approve");

    const b = await newReader(browser, srv, pages);
    const pb = await openArticle(b, srv, slug);
    const pArt = pb.locator(`#parley-comments #parley-comment-${pid}`);
    await pArt.getByRole("button", { name: "Reply" }).click();
    const rform = pArt.locator("form.cform");
    await fillComment(rform, { name: "Child", email: "child@example.com", body: "A reply " + slug });
    await rform.locator("button[type=submit]").click();
    const nested = pb.locator(`#parley-comments li:has(> #parley-comment-${pid}) > ol.replies article`, { hasText: "A reply " + slug });
    await until(async () => (await nested.count()) === 1, "pending reply nested under parent for its author");
    const f = await focused(pb);
    assert.match(f.text, /awaiting moderation/, "focus moves to the reply's status notice");
    const rid = await commentId(pb, "A reply " + slug);
    await moderate(srv, rid, "approve");

    const c = await newReader(browser, srv, pages);
    const pc = await openArticle(c, srv, slug);
    const nestedC = pc.locator(`#parley-comments li:has(> #parley-comment-${pid}) > ol.replies #parley-comment-${rid}`);
    assert.equal(await nestedC.count(), 1, "approved reply nested for a third reader");
    assert.equal(await text(pc, ".count"), "2 comments");
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  test("keyboard-only posting works and focus lands on the status message", async () => {
    const slug = story();
    const ctx = await newReader(browser, srv, pages);
    const page = await openArticle(ctx, srv, slug);
    const tabTo = async (pred, what) => {
      for (let i = 0; i < 25; i++) {
        await page.keyboard.press("Tab");
        const f = await focused(page);
        if (f && pred(f)) return;
      }
      throw new Error("could not Tab to " + what);
    };
    const body = "Typed with the keyboard only " + slug;
    await tabTo((f) => f.tag === "input" && (f.type === "text") && f.cls === "", "name");
    await page.keyboard.type("Keyboard User");
    await page.keyboard.press("Tab");
    await page.keyboard.type("kb@example.com");
    await tabTo((f) => f.tag === "textarea", "textarea");
    await page.keyboard.type(body);
    await page.waitForTimeout(2100); // see fillComment
    await tabTo((f) => f.tag === "button" && f.type === "submit", "send button");
    await page.keyboard.press("Enter");
    await until(async () => {
      const f = await focused(page);
      return f && f.role === "status" && f.text.includes(EN.sent);
    }, "focus on status message");
    assert.equal((await queue(srv, "pending")).filter((c) => c.body === body).length, 1);
    await ctx.close();
  });

  test("renders under a strict CSP with no violations, on a test page and on the demo page", async () => {
    const slug = story();
    const ctx = await newReader(browser, srv, pages);
    await ctx.addInitScript(() => {
      window.__csp = [];
      document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    for (const url of [`${srv.base}/e2e/${slug}`, `${srv.base}/`]) {
      const page = await ctx.newPage();
      const problems = [];
      page.on("console", (m) => {
        if (/Content.Security.Policy|Refused to/i.test(m.text())) problems.push(m.text());
      });
      page.on("pageerror", (e) => problems.push("pageerror: " + e.message));
      const res = await page.goto(url);
      assert.ok(/default-src 'self'/.test(res.headers()["content-security-policy"] || ""), `${url} is served with a strict CSP`);
      await widgetReady(page);
      // Styles really applied: the send button has the accent background.
      const bg = await mainForm(page).locator("button[type=submit]").evaluate((b) => getComputedStyle(b).backgroundColor);
      assert.notEqual(bg, "rgba(0, 0, 0, 0)", "widget styles are applied under CSP");
      assert.deepEqual(await page.evaluate(() => window.__csp), [], `no CSP violations on ${url}`);
      assert.deepEqual(problems, [], `no CSP console errors on ${url}`);
      await page.close();
    }
    // Why the widget uses adoptedStyleSheets: under the same policy a <style>
    // element, even one created through the DOM inside a shadow root, is refused.
    const page = await ctx.newPage();
    await page.goto(`${srv.base}/e2e/${slug}`);
    await widgetReady(page);
    const color = await page.evaluate(() => {
      const host = document.createElement("div");
      document.body.append(host);
      const root = host.attachShadow({ mode: "open" });
      const st = document.createElement("style");
      st.textContent = "p{color:rgb(1, 2, 3)}";
      const p = document.createElement("p");
      p.textContent = "x";
      root.append(st, p);
      return getComputedStyle(p).color;
    });
    assert.notEqual(color, "rgb(1, 2, 3)", "a <style> element is blocked by style-src 'self'");
    await until(() => page.evaluate(() => window.__csp.some((v) => v.startsWith("style-src"))), "style-src violation reported");
    await ctx.close();
  });

  test("data-locale hy and az translate the interface; screenshots in light and dark", async () => {
    const cases = [
      // The thread has a published comment, so the policy does not invite
      // the reader to start the conversation.
      { locale: "hy", heading: "Մեկնաբանություններ", send: "Ուղարկել", policy: /^Հեղինակներ, խնդրում ենք մուտք գործել։ Բոլոր/ },
      { locale: "az", heading: "Şərhlər", send: "Göndər", policy: /^Müəlliflər, zəhmət olmasa, daxil olun\. Bütün/ },
      { locale: "en", heading: "Comments", send: "Send", policy: /^Authors, please log in\. All comments/ },
    ];
    // One approved comment so the screenshots show a thread.
    const shot = story({ title: "Screenshot story" });
    {
      const ctx = await newReader(browser, srv, pages);
      const page = await openArticle(ctx, srv, shot);
      const body = "Night trains are back. **Finally** a cheaper way to visit family.";
      await fillComment(mainForm(page), { name: "Ani", email: "ani2@example.com", body });
      await mainForm(page).locator("button[type=submit]").click();
      await moderate(srv, await commentId(page, "Night trains are back."), "approve");
      await ctx.close();
    }
    for (const c of cases) {
      for (const scheme of ["light", "dark"]) {
        const slug = `${shot}-${c.locale}-${scheme}`;
        pages.set(slug, { ...pages.get(shot), locale: c.locale });
        const ctx = await newReader(browser, srv, pages, { colorScheme: scheme, viewport: { width: 760, height: 900 } });
        const page = await openArticle(ctx, srv, slug);
        assert.equal(await text(page, "h2"), c.heading, `${c.locale} heading`);
        assert.equal(await mainForm(page).locator("button[type=submit]").textContent(), c.send, `${c.locale} send button`);
        assert.match(await text(page, ".policy"), c.policy, `${c.locale} policy text`);
        assert.equal(await page.locator("#parley-comments .root").getAttribute("lang"), c.locale);
        assert.equal(await page.locator("#parley-comments .root").getAttribute("dir"), "ltr");
        const bg = await page.locator("#parley-comments .root").evaluate((e) => getComputedStyle(e).backgroundColor);
        assert.equal(bg, scheme === "dark" ? "rgb(22, 24, 28)" : "rgb(255, 255, 255)", `${scheme} theme follows prefers-color-scheme`);
        await page.locator("#parley-comments").screenshot({ path: join(outputDir, `widget-${c.locale}-${scheme}.png`) });
        await ctx.close();
      }
    }
    // data-theme overrides the system preference.
    const slug = `${shot}-forced-dark`;
    pages.set(slug, { ...pages.get(shot), theme: "dark" });
    const ctx = await newReader(browser, srv, pages, { colorScheme: "light" });
    const page = await openArticle(ctx, srv, slug);
    assert.equal(await page.locator("#parley-comments .root").evaluate((e) => getComputedStyle(e).backgroundColor), "rgb(22, 24, 28)");
    await ctx.close();
  });

  test("a guest edits their comment within the edit window", async () => {
    const slug = story();
    const ctx = await newReader(browser, srv, pages);
    const page = await openArticle(ctx, srv, slug);
    const body = "Edit me soon " + slug;
    await fillComment(mainForm(page), { name: "Editor", email: "editor@example.com", body });
    await mainForm(page).locator("button[type=submit]").click();
    const id = await commentId(page, body);
    const art = page.locator(`#parley-comments #parley-comment-${id}`);
    await art.getByRole("button", { name: "Edit" }).click();
    const ef = art.locator("form.cform");
    assert.equal(await ef.locator("textarea").inputValue(), body, "the edit form starts from the markdown source");
    await ef.locator("textarea").fill("Edited text " + slug);
    await ef.locator("button[type=submit]").click();
    await until(async () => (await art.locator(".body").textContent()).includes("Edited text " + slug), "edited text shown");
    const stored = (await queue(srv, "pending")).find((c) => c.id === id);
    assert.equal(stored.body, "Edited text " + slug);
    await ctx.close();
  });

  test("staff log in through the popup, post with a badge, stay signed in and log out", async () => {
    const slug = story();
    const ctx = await newReader(browser, srv, pages);
    const page = await openArticle(ctx, srv, slug);
    const [popup] = await Promise.all([
      ctx.waitForEvent("page"),
      page.locator("#parley-comments .account").getByRole("button", { name: "Log in" }).click(),
    ]);
    await popup.waitForLoadState();
    const u = new URL(popup.url());
    assert.equal(u.pathname, "/auth/popup");
    assert.equal(u.searchParams.get("site"), "demo");
    assert.equal(u.searchParams.get("origin"), srv.base);
    await popup.locator("#email").fill("mod@example.com");
    await popup.locator("#password").fill("e2e-moderator-password-1");
    await popup.locator("form[action=\"/auth/popup\"] button[type=submit]").click();
    await until(async () => (await text(page, ".account")).includes("Signed in as Mod"), "signed in after postMessage");
    assert.equal(await mainForm(page).locator("input[name=email]").count(), 0, "no guest fields when signed in");

    const body = "Staff note " + slug;
    await fillComment(mainForm(page), { body });
    await mainForm(page).locator("button[type=submit]").click();
    await moderate(srv, await commentId(page, body), "approve");

    await page.reload();
    await widgetReady(page);
    assert.match(await text(page, ".account"), /Signed in as Mod/, "the token survives a reload");
    const other = await newReader(browser, srv, pages);
    const p2 = await openArticle(other, srv, slug);
    const art = p2.locator("#parley-comments article", { hasText: body });
    assert.equal(await art.locator(".badge").textContent(), "Staff");
    await other.close();

    await page.locator("#parley-comments .account").getByRole("button", { name: "Log out" }).click();
    await until(async () => (await text(page, ".account")).includes("Log in"), "logged out");
    assert.equal(await mainForm(page).locator("input[name=email]").count(), 1);
    await ctx.close();
  });

  test("a reader reports a published comment from the keyboard; a second report is refused; never on their own comments", async () => {
    const slug = story();
    // A writes the comment that gets reported.
    const a = await newReader(browser, srv, pages);
    const pa = await openArticle(a, srv, slug);
    const body = "Report me " + slug;
    await fillComment(mainForm(pa), { name: "Target", email: "target@example.com", body });
    await mainForm(pa).locator("button[type=submit]").click();
    const id = await commentId(pa, body);
    await moderate(srv, id, "approve");
    // B, the reporter, has a published comment of their own.
    const b = await newReader(browser, srv, pages);
    const pb = await openArticle(b, srv, slug);
    const mine = "My own view " + slug;
    await fillComment(mainForm(pb), { name: "Reporter", email: "reporter@example.com", body: mine });
    await mainForm(pb).locator("button[type=submit]").click();
    const mid = await commentId(pb, mine);
    await moderate(srv, mid, "approve");

    // The author sees no Report action on their own comment, also when only
    // the server says it is theirs (own: true), not this browser's memory.
    await pa.evaluate(() => Object.keys(localStorage).filter((k) => k.endsWith(":mine")).forEach((k) => localStorage.removeItem(k)));
    await pa.reload();
    await widgetReady(pa);
    const ownA = pa.locator(`#parley-comments #parley-comment-${id}`);
    await until(async () => (await ownA.count()) === 1, "author sees the approved comment");
    assert.equal(await ownA.getByRole("button", { name: "Reply" }).count(), 1, "the actions are rendered");
    assert.equal(await ownA.getByRole("button", { name: "Report" }).count(), 0, "no Report on the author's own comment (own: true)");
    assert.equal(await pa.locator(`#parley-comments #parley-comment-${mid}`).getByRole("button", { name: "Report" }).count(), 1);

    await pb.reload();
    await widgetReady(pb);
    const art = pb.locator(`#parley-comments #parley-comment-${id}`);
    await until(async () => (await art.count()) === 1, "reader sees the approved comment");
    assert.equal(await pb.locator(`#parley-comments #parley-comment-${mid}`).getByRole("button", { name: "Report" }).count(), 0, "no Report on the reader's own comment");
    const reportBtn = art.getByRole("button", { name: "Report" });
    assert.equal(await reportBtn.getAttribute("aria-expanded"), "false");

    // Keyboard: Enter opens the form with focus on the reason; Escape closes it
    // and returns focus to the Report button.
    await reportBtn.focus();
    await pb.keyboard.press("Enter");
    const form = art.locator(".report form");
    await until(async () => (await form.count()) === 1, "report form opens");
    assert.equal(await art.getByRole("button", { name: "Report" }).getAttribute("aria-expanded"), "true");
    assert.equal((await focused(pb)).tag, "select", "focus moves to the reason");
    const options = await form.locator("select option").allTextContents();
    assert.deepEqual(options, ["Choose a reason", "Hate speech", "Obscenity", "Personal attack", "Spam", "Off topic", "Other"]);
    assert.equal(await form.getByLabel("Note for the moderators (optional)").count(), 1, "the note has a label");
    await pb.keyboard.press("Escape");
    await until(async () => (await form.count()) === 0, "Escape closes the form");
    let f = await focused(pb);
    assert.ok(f.tag === "button" && f.text === "Report", "focus returns to the Report button: " + JSON.stringify(f));

    // Cancel closes it the same way.
    await pb.keyboard.press("Enter");
    await until(async () => (await form.count()) === 1, "report form reopens");
    await form.getByRole("button", { name: "Cancel" }).click();
    await until(async () => (await form.count()) === 0, "Cancel closes the form");
    f = await focused(pb);
    assert.ok(f.tag === "button" && f.text === "Report", "focus returns to the Report button after Cancel");

    // Send it: reason, a note, Tab to Send and Enter twice; one request is made.
    let reports = 0;
    pb.on("request", (r) => {
      if (r.method() === "POST" && r.url().endsWith(`/api/v1/comments/${id}/report`)) reports++;
    });
    await pb.keyboard.press("Enter");
    await until(async () => (await form.count()) === 1, "report form opens again");
    await form.locator("select").selectOption("personal_attack");
    await pb.keyboard.press("Tab");
    assert.equal((await focused(pb)).tag, "textarea");
    await pb.keyboard.type("Insults another reader " + slug);
    await pb.keyboard.press("Tab");
    assert.equal((await focused(pb)).text, "Send");
    await art.screenshot({ path: join(outputDir, "widget-en-report-form.png") });
    await pb.keyboard.press("Enter");
    await pb.keyboard.press("Enter");
    const status = art.locator(".report .status");
    await until(async () => (await status.textContent()) === "Thank you. A moderator will review this comment.", "thank-you message");
    f = await focused(pb);
    assert.ok(f.role === "status" && f.text.startsWith("Thank you."), "focus moves to the status message");
    assert.equal(await form.count(), 0, "the message replaces the form");
    assert.equal(await art.getByRole("button", { name: "Report" }).count(), 0, "no second Report button after sending");
    assert.equal(reports, 1, "exactly one report request");

    // Moderators see it in the Reported queue, with the reason and note.
    const r = await fetch(`${srv.base}/api/v1/moderation/queue?site=demo&status=approved&reported=1`, {
      headers: { Authorization: "Bearer " + srv.token },
    });
    assert.equal(r.status, 200);
    const q = await r.json();
    assert.deepEqual(
      q.comments.map((c) => c.id).filter((x) => x === id || x === mid),
      [id],
      "the reported comment, and only it, is in the Reported queue",
    );
    const d = await (await fetch(`${srv.base}/api/v1/moderation/comments/${id}`, { headers: { Authorization: "Bearer " + srv.token } })).json();
    assert.equal(d.reports.length, 1);
    assert.equal(d.reports[0].reason, "personal_attack");
    assert.equal(d.reports[0].note, "Insults another reader " + slug);
    // Never shown publicly.
    const pub = await (await fetch(`${srv.base}/api/v1/comments?site=demo&story_url=${encodeURIComponent(pages.get(slug).story)}`)).json();
    assert.ok(!JSON.stringify(pub).includes("Insults another reader"), "the report is not in the public thread");

    // After a reload the action is back, and a second report is refused.
    await pb.reload();
    await widgetReady(pb);
    await until(async () => (await art.count()) === 1, "comment after reload");
    await art.getByRole("button", { name: "Report" }).click();
    await form.locator("select").selectOption("spam");
    await form.getByRole("button", { name: "Send" }).click();
    await until(async () => (await status.textContent()) === "You already reported this comment.", "already-reported message");
    assert.equal((await focused(pb)).role, "status");
    const d2 = await (await fetch(`${srv.base}/api/v1/moderation/comments/${id}`, { headers: { Authorization: "Bearer " + srv.token } })).json();
    assert.equal(d2.reports.length, 1, "still one report");
    await pb.locator("#parley-comments").screenshot({ path: join(outputDir, "widget-en-report.png") });
    await Promise.all([a.close(), b.close()]);
  });

  test("widget.js is served with the right headers and is at most 25 KB gzipped", async () => {
    const r = await fetch(srv.base + "/widget.js");
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.equal(r.headers.get("x-content-type-options"), "nosniff");
    assert.match(r.headers.get("cache-control"), /max-age=300/);
    assert.ok(r.headers.get("etag"));
    const loader = Buffer.from(await r.arrayBuffer());
    const m = /widget\/(widget\.[0-9a-f]+\.js)/.exec(loader.toString());
    assert.ok(m, "loader references the hashed bundle");
    const b = await fetch(srv.base + "/widget/" + m[1]);
    assert.equal(b.status, 200);
    assert.equal(b.headers.get("cache-control"), "public, max-age=31536000, immutable");
    const bundle = Buffer.from(await b.arrayBuffer());
    const total = gzipSync(loader, { level: 9 }).length + gzipSync(bundle, { level: 9 }).length;
    console.log(`widget.js loader + bundle: ${total} bytes gzipped (limit ${25 * 1024})`);
    assert.ok(total <= 25 * 1024, `widget is ${total} bytes gzipped`);
  });
});
