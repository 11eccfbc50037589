// Keystroke benchmark of the moderation dashboard (issue 18): a queue of
// 200 mixed comments in en, ru, hy, az and tr is cleared in Chromium, first
// through the low-risk lane (pages of up to 20 clean comments: read, reject
// the odd one out with r and a digit, approve the rest with a), then one at
// a time (a, r + digit, s) for everything the lane left. It prints
// keystrokes and HTTP requests per decision for each part.
//
//   cd e2e && npm ci && node bench/triage.bench.mjs     (PARLEY_BIN to skip the build)
//
// Timing is not measured: the figures are counts, the same on any machine.

import assert from "node:assert/strict";
import { launchBrowser, modComment, signIn, startServer, UNDO_MS, until } from "../lib/moderation.mjs";

// Clean comments: a subject, a remark and a closing in each language,
// combined so that no two are the same text.
const CLEAN = {
  en: [
    ["The night train", "The new timetable", "The ticket office", "The Gyumri station", "The sleeper car"],
    ["looks like a real improvement", "should have been announced earlier", "is better than I expected", "needs clearer signs in English"],
    ["Thanks for the article.", "Looking forward to trying it.", "Good to see this covered.", "Hope it lasts this time."],
  ],
  ru: [
    ["Ночной поезд", "Новое расписание", "Билетная касса", "Вокзал в Гюмри", "Спальный вагон"],
    ["выглядит настоящим улучшением", "стоило объявить раньше", "лучше, чем я ожидал", "нуждается в понятных указателях"],
    ["Спасибо за статью.", "Хочу скорее попробовать.", "Хорошо, что об этом пишут.", "Надеюсь, на этот раз надолго."],
  ],
  hy: [
    ["Գիշերային գնացքը", "Նոր չվացուցակը", "Տոմսարկղը", "Գյումրու կայարանը", "Ննջավագոնը"],
    ["իսկական բարելավում է", "պետք էր ավելի շուտ հայտարարել", "ավելի լավն է, քան սպասում էի", "ավելի պարզ ցուցանակների կարիք ունի"],
    ["Շնորհակալություն հոդվածի համար։", "Անհամբեր սպասում եմ։", "Լավ է, որ այս մասին գրում եք։", "Հուսով եմ՝ այս անգամ երկար կտևի։"],
  ],
  az: [
    ["Gecə qatarı", "Yeni cədvəl", "Bilet kassası", "Gümrü stansiyası", "Yataqlı vaqon"],
    ["həqiqətən yaxşılaşma kimi görünür", "daha tez elan edilməli idi", "gözlədiyimdən yaxşıdır", "daha aydın nişanlara ehtiyac duyur"],
    ["Məqalə üçün təşəkkürlər.", "Tezliklə sınamaq istəyirəm.", "Bu barədə yazmağınız yaxşıdır.", "Ümid edirəm, bu dəfə uzun sürəcək."],
  ],
  tr: [
    ["Gece treni", "Yeni tarife", "Bilet gişesi", "Gümrü istasyonu", "Yataklı vagon"],
    ["gerçekten bir iyileşme gibi görünüyor", "daha önce duyurulmalıydı", "beklediğimden daha iyi", "daha anlaşılır tabelalara ihtiyaç duyuyor"],
    ["Haber için teşekkürler.", "Bir an önce denemek istiyorum.", "Bunun haber olması güzel.", "Umarım bu sefer kalıcı olur."],
  ],
};

// Flagged comments (the classifier suggests a reason) and what a moderator
// decides on each: [action, reason digit].
const FLAGGED = [
  ["You are a pathetic idiot and nobody wants to read your garbage opinions", ["r", "3"]],
  ["Ты жалкий идиот, заткнись уже со своими тупыми комментариями", ["r", "3"]],
  ["Դու ապուշ ես, փակիր բերանդ և այլևս մի գրիր այստեղ", ["r", "3"]],
  ["Sən axmaq və alçaq adamsan, ağzını yum", ["r", "3"]],
  ["Sen aptal bir salaksın, çeneni kapat ve bir daha buraya yazma", ["r", "3"]],
  ["What a fucking shitty article, total bullshit", ["r", "2"]],
  ["Какая хуйня, автор полный мудак", ["r", "2"]],
  ["Ne boktan bir makale, tamamen saçmalık, siktir git", ["r", "2"]],
  ["Earn $5000 a week from home! Click http://cheap-pills.example and buy now", ["s"]],
  ["Заработок от 5000$ в неделю! Переходи по ссылке http://cheap-pills.example", ["s"]],
];

// Clean-looking comments a careful moderator still rejects (off topic).
const OFF_TOPIC = ["Does anyone know a good plumber in Vanadzor? Mine moved away.", "Кто-нибудь знает, где купить зимние шины подешевле?", "Satılık ikinci el bisiklet arıyorum, önerisi olan var mı?"];

function buildQueue() {
  const out = [];
  const langs = Object.keys(CLEAN);
  let i = 0;
  // 160 clean, 10 of them with a twist that still reads clean.
  for (let n = 0; out.length < 160; n++) {
    const lang = langs[n % langs.length];
    const [a, b, c] = CLEAN[lang];
    const k = Math.floor(n / langs.length);
    const body = `${a[k % a.length]} ${b[Math.floor(k / a.length) % b.length]}. ${c[(k + Math.floor(k / 3)) % c.length]}`;
    if (out.some((x) => x.body === body)) continue;
    out.push({ body, want: "approve", lang, i: i++ });
  }
  for (const [j, t] of OFF_TOPIC.entries()) out.push({ body: t, want: "off_topic", i: i++, j });
  for (let r = 0; out.length < 200; r++) {
    const [t, keys] = FLAGGED[r % FLAGGED.length];
    out.push({ body: `${t} (${r + 1})`, want: keys, i: i++ });
  }
  return out;
}

async function main() {
  const srv = await startServer();
  const browser = await launchBrowser();
  try {
    const queue = buildQueue();
    const byId = new Map();
    for (const [n, q] of queue.entries()) {
      // Every comment has its own author, so no history links them.
      const r = await fetch(`${srv.base}/api/v1/comments`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ site: "demo", story_url: `https://demo.parley.example/bench/${n % 7}`, story_title: `Bench story ${n % 7}`, body: q.body,
          author_name: `Reader ${n}`, author_email: `bench${n}@example.org`, hp: "", compose_ms: 30000 }),
      });
      const j = await r.json();
      assert.equal(r.status, 201, JSON.stringify(j));
      byId.set(j.comment.id, q);
    }
    const { ctx, page } = await signIn(browser, srv, "mod1@example.com", "/moderation/s/demo?status=lowrisk");
    let requests = 0;
    page.on("request", (r) => {
      if (new URL(r.url()).origin === srv.base && !r.url().includes("/moderation/static/") && !r.url().includes("/stream")) requests++;
    });
    const press = async (k, tally) => {
      await page.keyboard.press(k);
      tally.keys++;
    };

    // Part 1: the low-risk lane.
    const lane = { keys: 0, decisions: 0, requests: 0 };
    requests = 0;
    for (let pageNo = 0; ; pageNo++) {
      await page.waitForLoadState("domcontentloaded");
      const ids = await page.locator("#queue .item").evaluateAll((els) => els.map((e) => e.dataset.id));
      if (!ids.length) break;
      // Read the page; reject what is off topic, from the top down.
      let at = 0; // the current item's index among those still shown
      const shown = [...ids];
      for (const id of ids) {
        const q = byId.get(id);
        if (q.want === "approve") continue;
        const idx = shown.indexOf(id);
        while (at < idx) (await press("j", lane), at++);
        const digit = q.want === "off_topic" ? "5" : q.want[1] || "6";
        await press("r", lane);
        await press(digit, lane);
        lane.decisions++;
        shown.splice(idx, 1);
        at = Math.min(idx, shown.length - 1);
      }
      // The lane loads its next page by itself once this one is committed.
      const next = page.waitForNavigation({ timeout: UNDO_MS + 30000 });
      if (shown.length) await press("a", lane);
      lane.decisions += shown.length;
      await next;
    }
    lane.requests = requests;

    // Part 2: one at a time, for what the lane left.
    const single = { keys: 0, decisions: 0, requests: 0 };
    await page.goto(`${srv.base}/moderation/s/demo?status=pending`);
    requests = 0;
    for (;;) {
      const id = await page.evaluate(() => document.querySelector("#queue .item.current")?.dataset.id || "");
      if (!id) {
        if (await page.locator("#queue .item:not([hidden])").count()) {
          await page.waitForTimeout(200);
          continue;
        }
        // The page is done: the next page of the queue, if any.
        await page.waitForTimeout(UNDO_MS + 1000);
        await page.goto(`${srv.base}/moderation/s/demo?status=pending`);
        if (!(await page.locator("#queue .item").count())) break;
        continue;
      }
      const q = byId.get(id);
      const keys = q.want === "approve" ? ["a"] : q.want === "off_topic" ? ["r", "5"] : q.want;
      for (const k of keys) await press(k, single);
      single.decisions++;
      await until(async () => (await page.evaluate(() => document.querySelector("#queue .item.current")?.dataset.id || "")) !== id, "the next item");
    }
    await page.waitForTimeout(UNDO_MS + 1500);
    single.requests = requests;

    // Every comment was decided as intended.
    let wrong = 0;
    for (const [id, q] of byId) {
      const c = await modComment(srv, id);
      const want = q.want === "approve" ? "approved" : q.want === "off_topic" ? "rejected" : q.want[0] === "s" ? "spam" : "rejected";
      if (c.status !== want) wrong++;
    }
    const fmt = (t) => `${t.decisions} decisions, ${t.keys} keystrokes (${(t.keys / t.decisions).toFixed(3)} per decision), ${t.requests} requests (${(t.requests / t.decisions).toFixed(3)} per decision)`;
    console.log(`queue: ${queue.length} comments (en, ru, hy, az, tr), ${wrong} decided otherwise than intended`);
    console.log(`low-risk lane:     ${fmt(lane)}`);
    console.log(`one at a time:     ${fmt(single)}`);
    const all = { keys: lane.keys + single.keys, decisions: lane.decisions + single.decisions, requests: lane.requests + single.requests };
    console.log(`whole queue:       ${fmt(all)}`);
    await ctx.close();
    if (wrong) process.exitCode = 1;
  } finally {
    await browser.close();
    await srv.stop();
  }
}

await main();
