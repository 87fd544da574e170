// Drives csm-server's playground page (web/, served at /) in the system's headless Chromium with
// playwright-core, and prints one JSON object of what each scenario saw; the checks are in
// tests/server/playground_test.cpp.
//   node playground.mjs SERVER_URL API_KEY OUT_DIR [CHROMIUM]    the scenarios below
//   node playground.mjs SERVER_URL API_KEY OUT_DIR [CHROMIUM] --pages N [--max-audio-ms MS]
//       N pages speak at once (autoplay) in one browser: each page's stats (a load check)
// Scenarios: autoplay (speaks ?text= to the end; the screenshot OUT_DIR/playground.png and the
// download OUT_DIR/last-response.wav), stop (the Stop button mid-turn), type (type as you go,
// then Enter), mic (Chromium's fake microphone, recorded, becomes the user's turn), jitter
// (the playback buffer's logic, fed by hand). Every result carries the page's console errors
// and the failures it showed.
import { chromium } from "playwright-core";
import path from "node:path";

const [server, apiKey, outDir, executable = "/usr/bin/chromium", ...rest] = process.argv.slice(2);
const option = (name, fallback) => {
  const i = rest.indexOf(name);
  return i >= 0 ? Number(rest[i + 1]) : fallback;
};
const TIMEOUT_MS = 30000;

const browser = await chromium.launch({
  executablePath: executable,
  args: ["--no-sandbox", "--autoplay-policy=no-user-gesture-required",
         "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"],
});

/** A fresh page at / with these query parameters; `errors` collects its console errors. */
async function open(query = {}) {
  const page = await browser.newPage({ viewport: { width: 420, height: 900 } });
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(`uncaught: ${e.message}`));
  const params = new URLSearchParams({ api_key: apiKey, ...query });
  await page.goto(`${server}/?${params}`);
  return { page, errors };
}

const stats = (page) => page.evaluate(() => window.csmPlayground.stats);
const history = (page) => page.evaluate(() => window.csmPlayground.history);
// Polls every `ms`: the default, every animation frame, keeps each page drawing 60 frames a
// second, which on 2 cores costs the pages' audio more than anything they do themselves.
const until = (page, condition, arg = null, ms = 50) =>
  page.waitForFunction(condition, arg, { timeout: TIMEOUT_MS, polling: ms });
const responses = (page, n, ms = 50) =>
  until(page, (n) => window.csmPlayground.stats.responses >= n, n, ms);
const connected = (page) => until(page, () => window.csmPlayground.stats.codec !== null);

async function result(page, errors, extra = {}) {
  const out = { stats: await stats(page), history: await history(page), ...extra,
                errors: [...errors, ...(await page.evaluate(() => window.csmPlayground.errors))] };
  await page.close();
  return out;
}

// A 400 ms buffer: on a busy 2-core CI machine the demo server's frames can come late by more
// than the default 120 ms, and the check is that every frame plays without a gap.
async function autoplay() {
  const { page, errors } = await open({ text: "Hello there! This is the playground speaking.",
                                        autoplay: "1", max_audio_ms: "2000", voice: "ash",
                                        jitter_ms: "400" });
  await responses(page, 1);
  const voices = await page.$$eval("#voice option", (options) => options.map((o) => o.value));
  const voice = await page.$eval("#voice", (select) => select.value);
  const screenshot = path.join(outDir, "playground.png");
  await page.screenshot({ path: screenshot, fullPage: true });
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
  const wav = path.join(outDir, "last-response.wav");
  await download.saveAs(wav);
  return result(page, errors, { voices, voice, screenshot, wav });
}

async function stop() {
  const { page, errors } = await open({ text: "This sentence goes on for a long time.",
                                        autoplay: "1", max_audio_ms: "30000" });
  await until(page, () => window.csmPlayground.stats.played_ms >= 600);
  const before = (await stats(page)).played_ms;
  await page.click("#stop");
  const after = (await stats(page)).played_ms;
  await responses(page, 1);
  return result(page, errors, { played_before_click: before, played_after_click: after });
}

async function type() {
  const { page, errors } = await open({ max_audio_ms: "2400" });
  await page.check("#live");
  await connected(page);
  const typed = "Hello there. How are you today?";
  await page.type("#text", typed, { delay: 10 });
  await page.press("#text", "Enter");
  await responses(page, 1);
  await page.waitForTimeout(300);  // a second response would have been created by now
  return result(page, errors, { typed, text_box: await page.inputValue("#text") });
}

async function mic() {
  const { page, errors } = await open();
  await page.click("#record");
  await page.waitForSelector("#record.recording", { timeout: TIMEOUT_MS });
  await page.waitForTimeout(1000);
  await page.click("#record");
  await until(page, () => window.csmPlayground.history.some((e) => e.summary));
  return result(page, errors);
}

/**
 * The jitter buffer of web/playback-worklet.js alone, fed by hand in the page: 100 ms waits for
 * the 120 ms target, 200 ms plays, runs dry (an underrun, the target grows by 40 ms), then the
 * end trims the padded last chunk to totalSamples.
 */
async function jitter() {
  const { page, errors } = await open();
  const out = await page.evaluate(async () => {
    const { JitterBuffer } = await import("./web/playback-worklet.js");
    const events = [];
    const buffer = new JitterBuffer(48000, (m) => m.type !== "stats" && events.push(m));
    const quantum = new Float32Array(128);
    const render = (n) => { for (let i = 0; i < n; i++) buffer.render(quantum); };
    buffer.handle({ type: "start", id: 7 });
    buffer.handle({ type: "audio", id: 7, samples: new Float32Array(4800).fill(0.5) });
    render(10);
    const waited = events.length;
    buffer.handle({ type: "audio", id: 7, samples: new Float32Array(4800).fill(0.5) });
    render(80);
    const target = buffer.targetMs;
    buffer.handle({ type: "audio", id: 7, samples: new Float32Array(1920).fill(0.5) });
    buffer.handle({ type: "end", id: 7, totalSamples: 9600 + 960 });
    render(20);
    return { waited, target, events };
  });
  return result(page, errors, { jitter: out });
}

/** N pages, each speaking the same text at once. */
async function load(pages, maxAudioMs) {
  const query = { text: "Many listeners at once, each with its own stream.", autoplay: "1",
                  max_audio_ms: String(maxAudioMs) };
  const opened = await Promise.all(Array.from({ length: pages }, () => open(query)));
  await Promise.all(opened.map(({ page }) => responses(page, 1, 500)));
  return Promise.all(opened.map(({ page, errors }) => result(page, errors)));
}

try {
  const pages = option("--pages", 0);
  const out = pages > 0 ? { pages: await load(pages, option("--max-audio-ms", 2000)) }
                        : { autoplay: await autoplay(), stop: await stop(), type: await type(),
                            mic: await mic(), jitter: await jitter() };
  console.log(JSON.stringify(out));
} finally {
  await browser.close();
}
