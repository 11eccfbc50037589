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
// Nothing waits a fixed time for the server either: on a loaded machine the
// dashboard's held decisions can take far longer than their 5 s undo window
// to reach the database, so the benchmark asks the API when they have
// (committed) before it reloads a page, and every wait has a generous
// deadline that fails with what it was waiting for.

import assert from "node:assert/strict";
import { launchBrowser, modComment, signIn, startServer, until } from "../lib/moderation.mjs";

// Clean comments: twelve sentences in each language; a comment is two of
// them, and no two comments share more than one sentence, so none is a
// near-duplicate of another (the campaign detector needs a shingle
// Jaccard similarity of 0.5).
const CLEAN = {
  en: [
    "The new timetable finally suits people who work late.",
    "I took this train as a student and loved the views.",
    "Ticket prices look fair for a sleeper.",
    "The station in Gyumri needs a proper waiting room.",
    "Will there be a dining car on the longer route?",
    "My grandparents used this line every summer.",
    "Good to see investment outside the capital.",
    "Please publish the full list of stops.",
    "The article explains the history very clearly.",
    "I hope they keep the old carriages in a museum.",
    "Booking online would make this much easier for tourists.",
    "Thanks for the photos of the restored bridge.",
  ],
  ru: [
    "Новое расписание наконец удобно тем, кто работает допоздна.",
    "Я ездил этим поездом студентом, виды были чудесные.",
    "Цены на билеты для спального вагона вполне разумные.",
    "Вокзалу в Гюмри нужен нормальный зал ожидания.",
    "Будет ли вагон-ресторан на длинном маршруте?",
    "Мои бабушка и дедушка ездили по этой линии каждое лето.",
    "Хорошо, что вкладывают деньги не только в столицу.",
    "Опубликуйте, пожалуйста, полный список остановок.",
    "Статья очень понятно объясняет историю дороги.",
    "Надеюсь, старые вагоны сохранят в музее.",
    "Покупка билетов онлайн очень помогла бы туристам.",
    "Спасибо за фотографии отреставрированного моста.",
  ],
  hy: [
    "Նոր չվացուցակը վերջապես հարմար է ուշ աշխատողների համար։",
    "Ուսանող ժամանակ այս գնացքով էի գնում, տեսարանները հրաշալի էին։",
    "Ննջավագոնի տոմսերի գները բավականին արդարացի են։",
    "Գյումրու կայարանին սպասասրահ է պետք։",
    "Երկար երթուղում վագոն-ռեստորան կլինի՞։",
    "Պապիկս ու տատիկս ամեն ամառ այս գծով էին գնում։",
    "Լավ է, որ ներդրումներ են արվում նաև մայրաքաղաքից դուրս։",
    "Խնդրում եմ հրապարակել կանգառների ամբողջական ցանկը։",
    "Հոդվածը շատ պարզ է բացատրում գծի պատմությունը։",
    "Հուսով եմ՝ հին վագոնները թանգարանում կպահեն։",
    "Առցանց տոմս գնելը շատ կհեշտացներ զբոսաշրջիկների գործը։",
    "Շնորհակալություն վերականգնված կամրջի լուսանկարների համար։",
  ],
  az: [
    "Yeni cədvəl nəhayət gec işləyənlər üçün əlverişlidir.",
    "Tələbə olanda bu qatarla gedirdim, mənzərələr gözəl idi.",
    "Yataqlı vaqon üçün bilet qiymətləri münasibdir.",
    "Gümrü stansiyasına normal gözləmə zalı lazımdır.",
    "Uzun marşrutda vaqon-restoran olacaqmı?",
    "Nənəm və babam hər yay bu xətlə gedirdilər.",
    "Paytaxtdan kənarda da sərmayə qoyulması yaxşıdır.",
    "Zəhmət olmasa, dayanacaqların tam siyahısını dərc edin.",
    "Məqalə xəttin tarixini çox aydın izah edir.",
    "Ümid edirəm ki, köhnə vaqonları muzeydə saxlayacaqlar.",
    "Onlayn bilet almaq turistlərin işini xeyli asanlaşdırardı.",
    "Bərpa olunmuş körpünün fotoşəkilləri üçün təşəkkürlər.",
  ],
  tr: [
    "Yeni tarife sonunda geç saate kadar çalışanlara uygun.",
    "Öğrenciyken bu trenle giderdim, manzara harikaydı.",
    "Yataklı vagon için bilet fiyatları makul görünüyor.",
    "Gümrü istasyonuna düzgün bir bekleme salonu lazım.",
    "Uzun güzergâhta yemekli vagon olacak mı?",
    "Dedem ve ninem her yaz bu hatla seyahat ederdi.",
    "Başkentin dışına da yatırım yapılması güzel.",
    "Lütfen durakların tam listesini yayımlayın.",
    "Yazı hattın tarihini çok açık anlatıyor.",
    "Umarım eski vagonları bir müzede saklarlar.",
    "Çevrimiçi bilet satışı turistlerin işini çok kolaylaştırır.",
    "Restore edilen köprünün fotoğrafları için teşekkürler.",
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

// How long one wait may take on a machine under heavy load.
const SLOW = 180000;

/** Wait until none of ids is still pending on the server (the dashboard holds each decision for UNDO_MS). */
async function committed(srv, ids, what) {
  await until(async () => {
    const r = await fetch(`${srv.base}/api/v1/moderation/queue?site=demo&status=pending&limit=500`, { headers: { Authorization: "Bearer " + srv.token } });
    if (!r.ok) throw new Error(`queue: ${r.status}`);
    const { comments } = await r.json();
    return !comments.some((c) => ids.has(c.id));
  }, what, SLOW);
}

function buildQueue() {
  const out = [];
  const langs = Object.keys(CLEAN);
  let i = 0;
  // 160 clean comments, 32 per language: pairs (x, y) with x < y, taken
  // in an order that spreads the sentences.
  for (const lang of langs) {
    const ss = CLEAN[lang];
    const pairs = [];
    for (let d = 1; d < ss.length; d++) for (let x = 0; x + d < ss.length; x++) pairs.push([x, x + d]);
    for (const [x, y] of pairs.slice(0, 32)) out.push({ body: `${ss[x]} ${ss[y]}`, want: "approve", lang, i: i++ });
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
    page.setDefaultTimeout(SLOW);
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
    const laneIds = new Set();
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
        laneIds.add(id);
        shown.splice(idx, 1);
        at = Math.min(idx, shown.length - 1);
      }
      // The lane loads its next page by itself once this one is committed
      // (also when every item on it was rejected one by one).
      const next = page.waitForNavigation({ timeout: SLOW });
      if (shown.length) await press("a", lane);
      for (const id of shown) laneIds.add(id);
      await next;
    }
    await committed(srv, laneIds, "the lane's decisions to be committed");
    lane.requests = requests;
    lane.decisions = laneIds.size;

    // Part 2: one at a time, for what the lane left.
    const single = { keys: 0, decisions: 0, requests: 0 };
    const singleIds = new Set();
    await page.goto(`${srv.base}/moderation/s/demo?status=pending`);
    requests = 0;
    let stuckSince = 0;
    for (;;) {
      const id = await page.evaluate(() => document.querySelector("#queue .item.current")?.dataset.id || "");
      if (!id) {
        if (await page.locator("#queue .item:not([hidden])").count()) {
          // Items shown but none current: give the page a moment, not forever.
          stuckSince ||= Date.now();
          if (Date.now() - stuckSince > SLOW) throw new Error("items are shown but none is current");
          await page.waitForTimeout(200);
          continue;
        }
        // The page is done: once the server has every decision (not after a
        // fixed wait, which a slow server outlasts), the next page, if any.
        await committed(srv, singleIds, "the page's decisions to be committed");
        await page.goto(`${srv.base}/moderation/s/demo?status=pending`);
        if (!(await page.locator("#queue .item").count())) break;
        continue;
      }
      stuckSince = 0;
      const q = byId.get(id);
      const keys = q.want === "approve" ? ["a"] : q.want === "off_topic" ? ["r", "5"] : q.want;
      for (const k of keys) await press(k, single);
      singleIds.add(id);
      await until(async () => (await page.evaluate(() => document.querySelector("#queue .item.current")?.dataset.id || "")) !== id, "the next item", SLOW).catch(async (e) => {
        const st = await page.evaluate((x) => ({ active: document.activeElement?.outerHTML.slice(0, 120), toast: document.getElementById("toast-text")?.textContent, cls: document.getElementById("c-" + x)?.className, sel: document.querySelector(`#c-${x} select.reason`)?.value }), id);
        throw new Error(`${e.message}: ${JSON.stringify(q)} keys ${keys} ${JSON.stringify(st)}`);
      });
    }
    await committed(srv, singleIds, "the last decisions to be committed");
    single.requests = requests;
    single.decisions = singleIds.size;

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
