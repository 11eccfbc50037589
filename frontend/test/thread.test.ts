import { test } from "node:test";
import assert from "node:assert/strict";
import { buildTree, canEdit, idFromHash, merge, type Comment, type Node } from "../src/thread";

const c = (id: string, parent: string | null, minute: number, extra: Partial<Comment> = {}): Comment => ({
  id,
  parent_id: parent,
  author: { name: "n" + id },
  html: "<p>" + id + "</p>",
  created_at: new Date(Date.UTC(2026, 10, 27, 10, minute)).toISOString(),
  ...extra,
});

const shape = (nodes: Node[]): unknown => nodes.map((n) => (n.children.length ? [n.c.id, shape(n.children)] : n.c.id));

test("replies nest under their parents, oldest first", () => {
  const list = [c("a", null, 1), c("b", null, 2), c("a2", "a", 5), c("a1", "a", 3), c("a1x", "a1", 4)];
  assert.deepEqual(shape(buildTree(list, "oldest")), [["a", [["a1", ["a1x"]], "a2"]], "b"]);
});

test("newest sort reverses top level only", () => {
  const list = [c("a", null, 1), c("b", null, 2), c("a1", "a", 3), c("a2", "a", 4)];
  assert.deepEqual(shape(buildTree(list, "newest")), ["b", ["a", ["a1", "a2"]]]);
});

test("a reply whose parent is not loaded is shown at top level", () => {
  const list = [c("a", null, 1), c("r", "missing", 2)];
  assert.deepEqual(shape(buildTree(list, "oldest")), ["a", "r"]);
});

test("a parent cycle cannot hide comments", () => {
  const list = [c("x", "y", 1), c("y", "x", 2)];
  const tree = buildTree(list, "oldest");
  const seen: string[] = [];
  const walk = (ns: Node[]) => ns.forEach((n) => (seen.push(n.c.id), walk(n.children)));
  walk(tree);
  assert.deepEqual(seen.sort(), ["x", "y"]);
});

test("equal timestamps keep server order", () => {
  const list = [c("p", null, 1), c("q", null, 1), c("r", null, 1)];
  assert.deepEqual(shape(buildTree(list, "oldest")), ["p", "q", "r"]);
  assert.deepEqual(shape(buildTree(list, "newest")), ["p", "q", "r"]);
});

test("merge replaces by id and appends new ones", () => {
  const a = c("a", null, 1);
  const b = c("b", null, 2);
  const b2 = { ...b, status: "pending" as const };
  const out = merge([a, b], [b2, c("d", null, 3)]);
  assert.deepEqual(out.map((x) => x.id), ["a", "b", "d"]);
  assert.equal(out[1].status, "pending");
  assert.equal(merge([], []).length, 0);
});

test("canEdit honours the edit window", () => {
  const created = "2026-11-27T10:00:00Z";
  const t0 = Date.parse(created);
  assert.equal(canEdit(created, 900, t0 + 899_000), true);
  assert.equal(canEdit(created, 900, t0 + 900_000), false);
  assert.equal(canEdit(created, 0, t0), false);
  assert.equal(canEdit("garbage", 900, t0), false);
});

test("idFromHash accepts only permalink fragments", () => {
  assert.equal(idFromHash("#parley-comment-01JABCDEF"), "01JABCDEF");
  assert.equal(idFromHash("#parley-comment-"), "");
  assert.equal(idFromHash("#other"), "");
  assert.equal(idFromHash("#parley-comment-a\"><img"), "");
});
