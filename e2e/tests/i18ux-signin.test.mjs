// Browser tests of issue 18's sign-in pages: the widget's login popup and
// the page an email sign-in link opens speak the reader's language, and a
// reader signs in end to end with an email link: asks for it in the
// widget's popup, the mail arrives in a real SMTP server (mailpit), the
// link opens in another tab, and the widget shows the reader signed in and
// takes their comment. In en and hy, with screenshots in e2e/output/signin/.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { commentId, fillComment, launchBrowser, mainForm, newReader, openArticle, outputDir, repoRoot, startServer, until, widgetReady } from "../lib/harness.mjs";
import { mailpitBinary, startMailpit } from "../lib/mailpit.mjs";

// Without mailpit the tests are skipped on a workstation and fail in CI.
const noMail = !mailpitBinary() && !process.env.CI ? "mailpit is not installed (go install github.com/axllent/mailpit@v1.33.1)" : false;

const shots = join(outputDir, "signin");
let srv;
let mail;
let browser;
const pages = new Map();

/** The catalog's message in lang, formatted like i18n.T for %s arguments. */
function msg(lang, key, ...args) {
  for (const f of ["auth.json", "widget.json"]) {
    const m = JSON.parse(readFileSync(join(repoRoot, "i18n", "locales", lang, f), "utf8"))[key];
    if (m !== undefined) return args.reduce((s, a) => s.replace("%s", a), m);
  }
  throw new Error(`no ${key} in ${lang}`);
}

before(async () => {
  if (noMail) return;
  mail = await startMailpit();
  srv = await startServer({ extraArgs: ["--smtp-url", mail.smtpURL, "--mail-from", "Demo Gazette <comments@demo.example>"] });
  browser = await launchBrowser();
  mkdirSync(shots, { recursive: true });
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  await mail?.stop();
});

for (const lang of (process.env.SIGNIN_LANGS || "en,hy").split(",")) {
  test(`${lang}: the popup and the email-link page are in the reader's language; an email link signs the widget in and the reader posts`, { skip: noMail }, async () => {
    const slug = `signin-${lang}-${Date.now().toString(36)}`;
    pages.set(slug, { story: `https://demo.parley.example/e2e/${slug}`, title: `Sign-in story ${lang}` });
    const ctx = await newReader(browser, srv, pages, { viewport: { width: 760, height: 900 } });
    const page = await openArticle(ctx, srv, slug);
    if (lang !== "en") {
      // The reader picks the language in the widget; the popup follows it.
      await page.locator("#parley-comments select.lang").selectOption(lang);
      await until(async () => (await page.locator("#parley-comments .root").getAttribute("lang")) === lang, "the widget in " + lang);
    }
    const [popup] = await Promise.all([
      page.waitForEvent("popup"),
      page.locator("#parley-comments button.link", { hasText: msg(lang, "widget.login") }).first().click(),
    ]);
    await popup.waitForLoadState("domcontentloaded");
    assert.equal(await popup.locator("html").getAttribute("lang"), lang);
    assert.equal(await popup.locator("h1").textContent(), msg(lang, "auth.popup.heading", "Parley Demo Gazette"));
    assert.equal(await popup.locator("#email-link button").textContent(), msg(lang, "auth.popup.send_link"));
    assert.equal(await popup.locator("label[for=password]").textContent(), msg(lang, "auth.field.password"));
    // The switch offers the other languages and marks this one.
    assert.equal(await popup.locator(".langs [aria-current]").textContent(), lang === "hy" ? "Հայերեն" : "English");
    assert.equal(await popup.locator(".langs a").count(), 4);
    await popup.screenshot({ path: join(shots, `popup-${lang}.png`), fullPage: true });

    // Ask for a link.
    const email = `reader-${lang}-${Date.now().toString(36)}@example.org`;
    const name = lang === "hy" ? "Անի" : "Ann Reader";
    await popup.locator("#link-name").fill(name);
    await popup.locator("#link-email").fill(email);
    await popup.locator("#email-link button").click();
    await until(async () => (await popup.locator("#email-status").textContent()) === msg(lang, "auth.popup.link_sent"), "the link-sent status");

    // The mail arrives, in the reader's language, with a link that keeps it.
    const m = await mail.latestTo(email);
    const link = /https?:\/\/\S+\?token=\S+/.exec(m.Text)?.[0];
    assert.ok(link, `no link in ${m.Text}`);
    assert.equal(new URL(link).searchParams.get("lang"), lang);
    assert.ok(link.startsWith(srv.base + "/auth/email?"), link);

    // Open it in another tab: the page asks before it uses the link.
    const lp = await ctx.newPage();
    await lp.goto(link);
    assert.equal(await lp.locator("html").getAttribute("lang"), lang);
    assert.equal(await lp.locator("h1").textContent(), msg(lang, "auth.email.title"));
    await lp.screenshot({ path: join(shots, `email-link-${lang}.png`), fullPage: true });
    await lp.locator("form button[type=submit]").click();
    await lp.waitForLoadState("domcontentloaded");
    assert.equal(await lp.locator("h1").textContent(), msg(lang, "auth.email.signed_in"));
    assert.equal(await lp.locator("p[role=status]").textContent(), msg(lang, "auth.email.welcome", name));
    await lp.screenshot({ path: join(shots, `email-signed-in-${lang}.png`), fullPage: true });

    // The popup hands the session to the widget and closes; the widget shows the reader signed in.
    await until(() => popup.isClosed(), "the popup to close");
    const signedIn = msg(lang, "widget.signedInAs", name);
    await until(async () => (await page.locator("#parley-comments", { hasText: signedIn }).count()) > 0, "the widget to show the reader signed in");
    await widgetReady(page);

    // And the reader can post, without guest fields.
    const form = mainForm(page);
    assert.equal(await form.locator("input[name=email]").count(), 0, "a signed-in reader is not asked for an email");
    const body = lang === "hy" ? "Շնորհակալություն, հիմա մուտք եմ գործել հղումով։" : "Signed in with an email link, and posting.";
    await fillComment(form, { body });
    await form.locator("button[type=submit]").click();
    await until(async () => (await page.locator("#parley-comments article", { hasText: body }).count()) === 1, "the posted comment");
    const id = await commentId(page, body);
    await page.locator("#parley-comments").screenshot({ path: join(shots, `widget-signed-in-${lang}.png`) });
    const r = await fetch(`${srv.base}/api/v1/moderation/comments/${encodeURIComponent(id)}`, { headers: { Authorization: "Bearer " + srv.token } });
    const c = (await r.json()).comment;
    assert.ok(c.author_user_id, "the comment is the signed-in account's");
    assert.equal(c.author_name, name);
    await ctx.close();
  });
}
