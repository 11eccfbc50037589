// Cross-site request forgery in a real browser: a page on another origin
// auto-submits text/plain, urlencoded and multipart forms (the only bodies
// a form can send without CORS) and no-cors fetches to every state-changing
// endpoint of the public API, the login popup and the dashboard, while the
// browser holds a moderator's dashboard session. Every one is refused, and
// nothing changes: no comment, no report, no decision, no login.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { launchBrowser, moderate, queue, startServer, until } from "../lib/harness.mjs";

// The attacker's pages are served by a real HTTP server on another port,
// opened as localhost while Parley runs on 127.0.0.1: another origin and
// another site. Both are in the browser's local address space, so
// Chromium's local-network checks do not stop the requests before they
// reach Parley (on the internet, nothing would).
let EVIL;
let evilServer;
const evilPages = new Map();
let srv;
let browser;

before(async () => {
  srv = await startServer();
  evilServer = createServer((req, res) => {
    const body = evilPages.get(req.url);
    res.writeHead(body ? 200 : 404, { "Content-Type": "text/html; charset=utf-8" });
    res.end(body || "not found");
  });
  await new Promise((r) => evilServer.listen(0, "127.0.0.1", r));
  EVIL = `http://localhost:${evilServer.address().port}`;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  evilServer?.close();
});

async function postComment(body) {
  const r = await fetch(`${srv.base}/api/v1/comments`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ site: "demo", story_url: `${srv.base}/csrf`, story_title: "CSRF", body, author_name: "Guest", author_email: "g@example.org", compose_ms: 30000 }),
  });
  const text = await r.text();
  assert.equal(r.status, 201, text);
  return JSON.parse(text).comment.id;
}

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

/** A form whose text/plain encoding is a JSON object: name={"...":"  value="}. */
function jsonForm(i, action, obj, enctype = "text/plain") {
  const json = JSON.stringify({ ...obj, pad: "" });
  const name = json.slice(0, -2); // ...,"pad":"
  return `<iframe name="f${i}"></iframe><form target="f${i}" method="post" enctype="${enctype}" action="${esc(action)}"><input name="${esc(name)}" value='"}'></form>`;
}

function fieldForm(i, action, fields, enctype) {
  const inputs = Object.entries(fields).map(([k, v]) => `<input name="${esc(k)}" value="${esc(v)}">`).join("");
  return `<iframe name="f${i}"></iframe><form target="f${i}" method="post" enctype="${enctype}" action="${esc(action)}">${inputs}</form>`;
}

test("forms and fetches from another origin change nothing", async () => {
  const approved = await postComment("A published comment that the attacker wants reported.");
  await moderate(srv, approved, "approve");
  const pending = await postComment("A pending comment that the attacker wants approved.");

  const ctx = await browser.newContext();
  // The browser is signed in to the dashboard, as a moderator would be.
  const dash = await ctx.newPage();
  await dash.goto(`${srv.base}/moderation/login`);
  await dash.fill("input[name=email]", "mod@example.com");
  await dash.fill("input[name=password]", "e2e-moderator-password-1");
  await Promise.all([dash.waitForURL(/\/moderation\/s\/demo/), dash.click("button[type=submit]")]);
  const csrf = await dash.locator("input[name=csrf_token]").first().getAttribute("value");
  const sessionBefore = (await ctx.cookies(srv.base)).find((c) => c.name === "parley_session")?.value;
  assert.ok(sessionBefore, "the dashboard login set a session cookie");

  const B = srv.base;
  const comment = { site: "demo", story_url: `${srv.base}/csrf`, story_title: "CSRF", body: "FORGED comment", author_name: "Evil", author_email: "evil@example.org", compose_ms: 30000 };
  const login = { email: "mod@example.com", password: "e2e-moderator-password-1" };
  const targets = [
    [`${B}/api/v1/comments`, comment],
    [`${B}/api/v1/comments/${approved}/report`, { reason: "spam", note: "FORGED report" }],
    [`${B}/api/v1/preview`, { site: "demo", body: "x" }],
    [`${B}/api/v1/auth/login`, login],
    [`${B}/api/v1/auth/logout`, {}],
    [`${B}/api/v1/moderation/comments/${pending}/approve`, {}],
    [`${B}/api/v1/moderation/bulk`, { site: "demo", action: "approve", ids: [pending] }],
    [`${B}/api/v1/admin/sites/demo/settings`, { mode: "post" }],
  ];
  let html = "";
  let i = 0;
  for (const [action, obj] of targets) {
    for (const enc of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]) {
      html += enc === "text/plain" ? jsonForm(i++, action, obj) : fieldForm(i++, action, obj, enc);
    }
  }
  const formFields = [
    [`${B}/auth/popup`, { site: "demo", origin: EVIL, ...login }],
    [`${B}/moderation/login`, { ...login, next: "/moderation" }],
    [`${B}/moderation/logout`, { csrf_token: csrf }],
    [`${B}/moderation/s/demo/decide`, { id: pending, action: "approve", csrf_token: csrf }],
    [`${B}/moderation/s/demo/settings`, { mode: "post", csrf_token: csrf }],
  ];
  for (const [action, fields] of formFields) {
    for (const enc of ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"]) html += fieldForm(i++, action, fields, enc);
  }
  const forms = i;
  // no-cors fetches send simple requests without a preflight; the page
  // cannot read the answers, but the server must not act on them.
  const script = `
    for (const f of document.forms) f.submit();
    const B = ${JSON.stringify(B)};
    const body = ${JSON.stringify(JSON.stringify(comment))};
    fetch(B + "/api/v1/comments", { method: "POST", mode: "no-cors", credentials: "include", headers: { "Content-Type": "text/plain" }, body });
    fetch(B + "/api/v1/auth/login", { method: "POST", mode: "no-cors", credentials: "include", body: ${JSON.stringify(JSON.stringify(login))} });
  `;
  evilPages.set("/attack", `<!doctype html><title>evil</title><body>${html}<script>${script}</script></body>`);
  // Each POST to Parley is recorded with the answer's status. The
  // dashboard's answers are blocked from framing (X-Frame-Options) after
  // they arrive, so failed requests are asked for their response too.
  const answers = [];
  const record = async (req) => {
    if (req.method() !== "POST" || !req.url().startsWith(B)) return;
    const res = await req.response().catch(() => null);
    answers.push({ url: req.url(), status: res ? res.status() : `failed: ${req.failure()?.errorText}` });
  };
  ctx.on("requestfinished", record);
  ctx.on("requestfailed", record);
  const evil = await ctx.newPage();
  await evil.goto(`${EVIL}/attack`);
  await until(() => answers.length >= forms + 2, `all ${forms} forms and 2 fetches answered (got ${answers.length})`, 30000);

  for (const a of answers) {
    // 401: the dashboard saw no session (the SameSite cookie stayed home).
    assert.ok([401, 403, 415].includes(a.status), `${a.url} answered ${a.status}`);
  }
  // Nothing changed.
  const pend = await queue(srv, "pending");
  assert.ok(!pend.some((c) => c.body?.includes("FORGED") || c.html?.includes("FORGED")), "a forged comment was created");
  assert.ok(pend.some((c) => c.id === pending), "the pending comment was decided");
  const reported = await queue(srv, "approved");
  assert.ok(reported.some((c) => c.id === approved && !c.report_count), "the approved comment was reported");
  // The browser's session is the one it had: no forged login, no forged logout.
  const sessionAfter = (await ctx.cookies(B)).find((c) => c.name === "parley_session")?.value;
  assert.equal(sessionAfter, sessionBefore);
  await dash.reload();
  assert.match(dash.url(), /\/moderation\/s\/demo/);
  await ctx.close();

  // A fresh browser that only visits the attacker is not logged in.
  const ctx2 = await browser.newContext();
  evilPages.set(
    "/login",
    `<!doctype html><body>${jsonForm(0, `${B}/api/v1/auth/login`, login)}${fieldForm(1, `${B}/auth/popup`, { site: "demo", origin: EVIL, ...login }, "application/x-www-form-urlencoded")}${fieldForm(2, `${B}/moderation/login`, login, "application/x-www-form-urlencoded")}<script>for (const f of document.forms) f.submit();</script></body>`,
  );
  let n2 = 0;
  const count2 = (r) => { if (r.method() === "POST") n2++; };
  ctx2.on("requestfinished", count2);
  ctx2.on("requestfailed", count2);
  const p2 = await ctx2.newPage();
  await p2.goto(`${EVIL}/login`);
  await until(() => n2 >= 3, "the three login forms answered", 20000);
  assert.equal((await ctx2.cookies(B)).filter((c) => c.name === "parley_session").length, 0, "a forged login set a session");
  await ctx2.close();
});
