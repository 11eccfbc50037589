// Sign-in the newsroom's way, in a real browser against the real binary
// and a real OpenID provider (zitadel/oidc's example OP, run by
// internal/testoidc/cmd/testoidc):
//   - a desk editor signs in to the dashboard at the provider, lands in the
//     queue with the moderator role from the "groups" claim, and approves a
//     comment with the keyboard;
//   - a reporter signs in from the widget's login popup at the provider,
//     comments, and gets the author badge once listed as the story's author;
//   - a reader of the newsroom is signed in by the page's data-sso-token
//     (an HS256 JWT signed here as a newsroom backend would), and a token
//     replayed after logging out is refused.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchBrowser, modComment, startServer, until } from "../lib/moderation.mjs";
import { repoRoot, run } from "../lib/server.mjs";

const SSO_SECRET = "e2e-newsroom-sso-secret-0123456789abcdef";
const OP_SECRET = "e2e-op-client-secret";
const PW = "op-password-123";
let srv;
let op;
let opIssuer;
let browser;
let tmp;

before(async () => {
  srv = await startServer();
  tmp = mkdtempSync(join(tmpdir(), "parley-oidc-e2e-"));
  let bin = process.env.TESTOIDC_BIN;
  if (!bin) {
    bin = join(tmp, "testoidc");
    run("go", ["build", "-C", repoRoot, "-o", bin, "./internal/testoidc/cmd/testoidc"]);
  }
  const users = [
    { id: "op-desk", username: "desk@op", password: PW, name: "Dana Desk", email: "dana@paper.example", groups: ["staff", "desk"] },
    { id: "op-writer", username: "writer@op", password: PW, name: "Walt Writer", email: "walt@paper.example", groups: ["writers"] },
  ];
  op = spawn(bin, ["--client-id", "parley-demo", "--client-secret", OP_SECRET, "--redirect-uri", `${srv.base}/auth/oidc/callback`, "--users", JSON.stringify(users)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  op.stdout.on("data", (d) => (out += d));
  op.stderr.on("data", () => {});
  opIssuer = await until(() => /testoidc issuer (\S+)/.exec(out)?.[1], "the OP to start", 60000);
  // Both sign-ins through the CLI, as an operator would.
  run(srv.bin, ["site", "auth", "--data", srv.data, "--site", "demo", "--sso-secret-stdin", "--oidc-issuer", opIssuer, "--oidc-client-id", "parley-demo",
    "--oidc-client-secret-stdin", "--oidc-role", "desk=moderator", "--oidc-role", "writers=author", "--oidc-label", "Paper account"], `${SSO_SECRET}\n${OP_SECRET}\n`);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  op?.kill("SIGTERM");
  await srv?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function postAsGuest(story, body) {
  const r = await fetch(`${srv.base}/api/v1/comments`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ site: "demo", story_url: `${srv.base}/e2e/${story}`, story_title: story, body, author_name: "Guest", compose_ms: 30000 }),
  });
  const j = await r.json();
  assert.equal(r.status, 201, JSON.stringify(j));
  return j.comment.id;
}

/** Sign in at the OP's login page (the browser is there). */
async function opLogin(page, username) {
  await page.waitForURL((u) => u.href.startsWith(opIssuer), { timeout: 20000 });
  await page.locator("input[name=username]").fill(username);
  await page.locator("input[name=password]").fill(PW);
  await page.locator("button[type=submit]").click();
}

const b64url = (s) => Buffer.from(s).toString("base64url");
function ssoToken(claims) {
  const now = Math.floor(Date.now() / 1000);
  const head = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64url(JSON.stringify({ aud: "demo", iat: now, exp: now + 300, jti: randomUUID(), ...claims }));
  return `${head}.${body}.${createHmac("sha256", SSO_SECRET).update(`${head}.${body}`).digest("base64url")}`;
}

/** A context whose /e2e/<slug> pages embed the widget with extra attributes. */
async function readerContext(pages) {
  const ctx = await browser.newContext();
  await ctx.route(`${srv.base}/e2e/**`, (route) => {
    const slug = new URL(route.request().url()).pathname.slice("/e2e/".length);
    const attrs = pages.get(slug) || "";
    return route.fulfill({
      status: 200,
      headers: { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": "default-src 'self'; base-uri 'none'; object-src 'none'" },
      body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${slug}</title></head><body><h1>${slug}</h1>
<div id="parley-comments" data-site="demo" data-story-url="${srv.base}/e2e/${slug}" data-story-title="${slug}" ${attrs}></div>
<script src="/widget.js" async></script></body></html>`,
    });
  });
  return ctx;
}

test("a desk editor signs in at the provider, lands in the queue as a moderator and approves", async () => {
  const id = await postAsGuest("oidc-desk", "A reader's comment for the desk to approve.");
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  await page.goto(`${srv.base}/moderation/login`);
  await page.getByRole("link", { name: "Sign in to Parley Demo Gazette with Paper account" }).click();
  await opLogin(page, "desk@op");
  await page.waitForURL(`${srv.base}/moderation/s/demo`, { timeout: 20000 });
  assert.match(await page.locator("body").innerText(), /Dana Desk/);
  await until(async () => (await page.locator(`#c-${id}`).count()) > 0, "the comment in the queue");
  await page.locator(`#c-${id}`).click();
  await page.keyboard.press("a");
  await until(async () => (await modComment(srv, id)).status === "approved", "the approval to commit", 20000);
  const c = await modComment(srv, id);
  assert.equal(c.moderated_by !== "", true);
  await ctx.close();
});

test("a reporter signs in from the widget's popup at the provider and gets the author badge", async () => {
  const pages = new Map([["oidc-author", ""]]);
  const ctx = await readerContext(pages);
  const page = await ctx.newPage();
  await page.goto(`${srv.base}/e2e/oidc-author`);
  await page.locator("#parley-comments .count").waitFor({ timeout: 15000 });
  const [popup] = await Promise.all([page.waitForEvent("popup"), page.locator("#parley-comments button.link", { hasText: "Log in" }).click()]);
  await popup.getByRole("link", { name: "Sign in with Paper account" }).click();
  await opLogin(popup, "writer@op");
  await popup.waitForEvent("close", { timeout: 20000 });
  await until(async () => /Walt Writer/.test(await page.locator("#parley-comments .account").innerText()), "the widget signed in");
  const form = page.locator("#parley-comments form.cform").first();
  await form.locator("textarea[name=body]").fill("The reporter answers a question about the story.");
  await page.waitForTimeout(2100);
  await form.locator("button[type=submit]").click();
  const art = page.locator("#parley-comments article", { hasText: "The reporter answers" }).first();
  await art.waitFor({ timeout: 15000 });
  const id = (await art.getAttribute("id")).replace(/^parley-comment-/, "");
  // A moderator lists the reporter as the story's author (by the email the
  // provider reported) and approves the comment.
  const c = await modComment(srv, id);
  const auth = { Authorization: "Bearer " + srv.token, "Content-Type": "application/json" };
  let r = await fetch(`${srv.base}/api/v1/moderation/stories/${c.story_id}`, { method: "PATCH", headers: auth, body: JSON.stringify({ author_emails: ["walt@paper.example"] }) });
  assert.equal(r.status, 200, await r.clone().text());
  r = await fetch(`${srv.base}/api/v1/moderation/comments/${id}/approve`, { method: "POST", headers: auth, body: "{}" });
  assert.equal(r.status, 200);
  const reader = await readerContext(pages);
  const rp = await reader.newPage();
  await rp.goto(`${srv.base}/e2e/oidc-author`);
  const badge = rp.locator(`#parley-comment-${id} .badge`);
  await badge.waitFor({ timeout: 15000 });
  assert.match(await badge.innerText(), /author/i);
  await ctx.close();
  await reader.close();
});

test("the newsroom's SSO token signs a reader in; after logging out it is refused", async () => {
  const token = ssoToken({ sub: "reader-77", name: "Sam Subscriber", email: "sam@readers.example" });
  const pages = new Map([["sso", `data-sso-token="${token}"`]]);
  const ctx = await readerContext(pages);
  const page = await ctx.newPage();
  await page.goto(`${srv.base}/e2e/sso`);
  await until(async () => /Sam Subscriber/.test(await page.locator("#parley-comments .account").innerText()), "the widget signed in by SSO");
  // The same page again: the stored session is kept, the spent token not re-sent.
  const exchanges = [];
  page.on("request", (q) => q.url().endsWith("/api/v1/auth/sso") && exchanges.push(q.url()));
  await page.reload();
  await until(async () => /Sam Subscriber/.test(await page.locator("#parley-comments .account").innerText()), "still signed in after a reload");
  assert.equal(exchanges.length, 0);
  // Log out, then replay the token directly: refused with a reason.
  await page.locator("#parley-comments button.link", { hasText: "Log out" }).click();
  await until(async () => /Log in/.test(await page.locator("#parley-comments .account").innerText()), "signed out");
  const r = await fetch(`${srv.base}/api/v1/auth/sso`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ site: "demo", token }) });
  const j = await r.json();
  assert.equal(r.status, 401);
  assert.equal(j.error.reason, "replayed");
  await ctx.close();
});
