// The API client against a real HTTP server on loopback (node:http).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { Api, ApiError, uuid } from "../src/api";
import { baseFromScript } from "../src/base";

type Seen = { method: string; url: string; headers: IncomingMessage["headers"]; body: string };

async function serve(reply: (s: Seen) => { status: number; body: unknown; headers?: Record<string, string> }) {
  const seen: Seen[] = [];
  const srv = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const s = { method: req.method!, url: req.url!, headers: req.headers, body };
      seen.push(s);
      const r = reply(s);
      res.writeHead(r.status, { "Content-Type": "application/json", ...(r.headers || {}) });
      res.end(JSON.stringify(r.body));
    });
  });
  await new Promise<void>((ok) => srv.listen(0, "127.0.0.1", ok));
  const base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  return { base, seen, close: () => new Promise<void>((ok) => srv.close(() => ok())) };
}

test("sends auth headers, idempotency key and JSON body", async () => {
  const s = await serve(() => ({ status: 201, body: { comment: { id: "c1", status: "pending" }, guest_token: "g2" } }));
  try {
    const api = new Api(s.base, { guestToken: () => "g1", bearer: () => "tok" });
    const r = await api.post({ site: "demo", body: "hi" }, "key-1");
    assert.equal(r.comment.id, "c1");
    assert.equal(r.guest_token, "g2");
    const h = s.seen[0].headers;
    assert.equal(s.seen[0].method, "POST");
    assert.equal(s.seen[0].url, "/api/v1/comments");
    assert.equal(h["idempotency-key"], "key-1");
    assert.equal(h["x-parley-guest-token"], "g1");
    assert.equal(h["authorization"], "Bearer tok");
    assert.equal(h["content-type"], "application/json");
    assert.equal(h["cookie"], undefined);
    assert.deepEqual(JSON.parse(s.seen[0].body), { site: "demo", body: "hi" });
  } finally {
    await s.close();
  }
});

test("asks for the server's messages in the widget's language", async () => {
  const s = await serve(() => ({ status: 422, body: { error: { code: "invalid", message: "Մեկնաբանությունը դատարկ է։" } } }));
  try {
    const api = new Api(s.base, { guestToken: () => "", bearer: () => "" });
    api.lang = "hy";
    await assert.rejects(api.post({ site: "demo", body: "" }, "key-1"), (e: ApiError) => e.message === "Մեկնաբանությունը դատարկ է։");
    assert.equal(s.seen[0].headers["accept-language"], "hy");
  } finally {
    await s.close();
  }
});

test("thread query carries site, story, sort, cursor and locale; no auth headers when signed out", async () => {
  const s = await serve(() => ({ status: 200, body: { comments: [], next_cursor: "", count: 0, story: null, site: {}, viewer: null } }));
  try {
    const api = new Api(s.base, { guestToken: () => "", bearer: () => "" });
    await api.thread("demo", "https://news.example/a?b=1", "newest", "CUR", "hy");
    const u = new URL(s.seen[0].url, s.base);
    assert.equal(u.pathname, "/api/v1/comments");
    assert.equal(u.searchParams.get("site"), "demo");
    assert.equal(u.searchParams.get("story_url"), "https://news.example/a?b=1");
    assert.equal(u.searchParams.get("sort"), "newest");
    assert.equal(u.searchParams.get("cursor"), "CUR");
    assert.equal(u.searchParams.get("locale"), "hy");
    assert.equal(s.seen[0].headers["authorization"], undefined);
    assert.equal(s.seen[0].headers["x-parley-guest-token"], undefined);
  } finally {
    await s.close();
  }
});

test("error bodies become ApiError with code, fields and Retry-After", async () => {
  let status = 409;
  const s = await serve(() =>
    status === 409
      ? { status, body: { error: { code: "duplicate", message: "Already awaiting review.", comment_id: "c9" } } }
      : { status, body: { error: { code: "rate_limited", message: "Slow down." } }, headers: { "Retry-After": "42" } },
  );
  try {
    const api = new Api(s.base, { guestToken: () => "", bearer: () => "" });
    await assert.rejects(api.post({}, "k"), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.status, 409);
      assert.equal(e.code, "duplicate");
      assert.equal(e.fields.comment_id, "c9");
      return true;
    });
    status = 429;
    await assert.rejects(api.edit("c/1", "x"), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.code, "rate_limited");
      assert.equal(e.retryAfter, 42);
      return true;
    });
    assert.equal(s.seen[1].method, "PATCH");
    assert.equal(s.seen[1].url, "/api/v1/comments/c%2F1");
  } finally {
    await s.close();
  }
});

test("report posts the reason and note with the reader's credentials; 409 is an ApiError", async () => {
  let status = 201;
  const s = await serve(() =>
    status === 201 ? { status, body: { ok: true } } : { status, body: { error: { code: "conflict", message: "You already reported this comment." } } },
  );
  try {
    const api = new Api(s.base, { guestToken: () => "g1", bearer: () => "" });
    assert.deepEqual(await api.report("c/1", "off_topic", "about trains"), { ok: true });
    assert.equal(s.seen[0].method, "POST");
    assert.equal(s.seen[0].url, "/api/v1/comments/c%2F1/report");
    assert.equal(s.seen[0].headers["x-parley-guest-token"], "g1");
    assert.equal(s.seen[0].headers["cookie"], undefined);
    assert.deepEqual(JSON.parse(s.seen[0].body), { reason: "off_topic", note: "about trains" });
    status = 409;
    await assert.rejects(api.report("c2", "spam"), (e: unknown) => e instanceof ApiError && e.status === 409 && e.code === "conflict");
    assert.deepEqual(JSON.parse(s.seen[1].body), { reason: "spam" }, "an empty note is left out");
  } finally {
    await s.close();
  }
});

test("a network failure is status 0", async () => {
  const s = await serve(() => ({ status: 200, body: {} }));
  const base = s.base;
  await s.close();
  const api = new Api(base, { guestToken: () => "", bearer: () => "" });
  await assert.rejects(api.preview("demo", "x"), (e: unknown) => e instanceof ApiError && e.status === 0 && e.code === "network");
});

test("uuid is a v4 UUID and unique", () => {
  const a = uuid();
  assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(a, uuid());
});

test("baseFromScript finds the comments host", () => {
  assert.equal(baseFromScript("https://c.example/widget.js"), "https://c.example");
  assert.equal(baseFromScript("https://c.example/widget/widget.abc123.js"), "https://c.example");
  assert.equal(baseFromScript("https://news.example/comments/widget.js"), "https://news.example/comments");
  assert.equal(baseFromScript("https://news.example/comments/widget/widget.abc.js?v=1"), "https://news.example/comments");
});
