import { test } from "node:test";
import assert from "node:assert/strict";
import { Store } from "../src/storage";

class MemStorage {
  m = new Map<string, string>();
  getItem(k: string) {
    return this.m.has(k) ? this.m.get(k)! : null;
  }
  setItem(k: string, v: string) {
    this.m.set(k, v);
  }
  removeItem(k: string) {
    this.m.delete(k);
  }
}

test("keys are per comments host and site", () => {
  const ls = new MemStorage();
  const a = new Store(Store.prefixFor("https://c1.example", "demo"), ls);
  const b = new Store(Store.prefixFor("https://c2.example", "demo"), ls);
  const c = new Store(Store.prefixFor("https://c1.example", "other"), ls);
  a.guestToken = "g-a";
  assert.equal(a.guestToken, "g-a");
  assert.equal(b.guestToken, "");
  assert.equal(c.guestToken, "");
  assert.equal(ls.getItem("parley:v1:https://c1.example:demo:guest"), "g-a");
  // a second Store on the same storage sees it: survives a reload
  assert.equal(new Store(Store.prefixFor("https://c1.example", "demo"), ls).guestToken, "g-a");
});

test("auth round-trips and can be forgotten; junk is ignored", () => {
  const ls = new MemStorage();
  const s = new Store("p:", ls);
  assert.equal(s.auth, null);
  s.auth = { token: "t", user: { name: "Ani", role: "author" } };
  assert.deepEqual(s.auth, { token: "t", user: { name: "Ani", role: "author" } });
  s.auth = null;
  assert.equal(s.auth, null);
  assert.equal(ls.getItem("p:auth"), null);
  ls.setItem("p:auth", "{not json");
  assert.equal(s.auth, null);
  ls.setItem("p:auth", JSON.stringify({ token: "" }));
  assert.equal(s.auth, null);
});

test("remember keeps the newest 100 and updates in place", () => {
  const s = new Store("p:", new MemStorage());
  for (let i = 0; i < 105; i++) s.remember("c" + i, "body " + i, i);
  const mine = s.mine();
  assert.equal(mine.length, 100);
  assert.equal(mine[0].id, "c5");
  assert.equal(s.findMine("c104")?.body, "body 104");
  s.remember("c50", "edited", 200);
  assert.equal(s.findMine("c50")?.body, "edited");
  assert.equal(s.mine().length, 100);
});

test("throwing or missing storage degrades to memory", () => {
  const broken = {
    getItem(): string | null {
      throw new Error("SecurityError");
    },
    setItem() {
      throw new Error("QuotaExceeded");
    },
    removeItem() {
      throw new Error("SecurityError");
    },
  };
  for (const ls of [broken, null]) {
    const s = new Store("p:", ls);
    s.guestToken = "g";
    assert.equal(s.guestToken, "g");
    s.name = "Ani";
    assert.equal(s.name, "Ani");
  }
});

test("the guest's email and chosen language survive a reload", () => {
  const ls = new MemStorage();
  const p = Store.prefixFor("https://c1.example", "demo");
  const a = new Store(p, ls);
  a.name = "Ani";
  a.email = "ani@example.org";
  a.locale = "hy";
  const b = new Store(p, ls);
  assert.equal(b.name, "Ani");
  assert.equal(b.email, "ani@example.org");
  assert.equal(b.locale, "hy");
  b.locale = "";
  assert.equal(new Store(p, ls).locale, "");
});
