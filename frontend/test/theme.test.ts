import { test } from "node:test";
import assert from "node:assert/strict";
import { TEXT_PAIRS, UI_PAIRS, css, dark, light, type Theme } from "../src/theme";

// WCAG 2.x relative luminance and contrast ratio.
function lum(hex: string): number {
  const m = /^#([0-9a-f]{6})$/i.exec(hex);
  assert.ok(m, `bad colour ${hex}`);
  const ch = [0, 2, 4].map((i) => parseInt(m![1].slice(i, i + 2), 16) / 255);
  const lin = ch.map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
}
export function contrast(a: string, b: string): number {
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

test("contrast formula matches known values", () => {
  assert.equal(contrast("#000000", "#ffffff").toFixed(0), "21");
  assert.equal(contrast("#767676", "#ffffff").toFixed(2), "4.54");
});

for (const [name, th] of [["light", light], ["dark", dark]] as Array<[string, Theme]>) {
  test(`${name} theme text meets WCAG 2.2 AA (4.5:1)`, () => {
    for (const [fg, bg] of TEXT_PAIRS) {
      const r = contrast(th[fg], th[bg]);
      assert.ok(r >= 4.5, `${name}: ${fg} on ${bg} is ${r.toFixed(2)}:1`);
    }
  });
  test(`${name} theme control borders and focus meet 3:1`, () => {
    for (const [fg, bg] of UI_PAIRS) {
      const r = contrast(th[fg], th[bg]);
      assert.ok(r >= 3, `${name}: ${fg} on ${bg} is ${r.toFixed(2)}:1`);
    }
  });
}

test("stylesheet uses logical properties only (RTL-ready)", () => {
  const s = css();
  for (const bad of [/margin-(left|right)/, /padding-(left|right)/, /border-(left|right)/, /text-align:\s*(left|right)/, /float:/, /[^-]left:/, /[^-]right:/]) {
    assert.doesNotMatch(s, bad);
  }
});

test("every theme token is overridable through --parley-*", () => {
  const s = css();
  for (const k of Object.keys(light)) assert.ok(s.includes(`var(--parley-${k},`), k);
});
