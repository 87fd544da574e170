// The playground page (web/index.html, served at / by csm-server): a small UI over
// csm-client.js. Speak / stop, "type as you go" (text.delta per keystroke), a recording of the
// user's turn as context.add, the conversation with each turn's numbers, live counters and a
// WAV of the last response.
//
// Query parameters: api_key, voice, text, max_audio_ms, autoplay=1 (speak `text` on load),
// jitter_ms (audio buffered before playback starts; csm-client.js's default: 120).
// window.csmPlayground, for scripts and tests: `stats` (live: {responses, frames, underruns,
// ttfa_ms, last_done_reason, played_ms, buffered_ms, codec}), `history` (one object per turn:
// {role, text, summary}), `errors` (server errors and failures shown to the user).
import { CsmClient } from "./csm-client.js";

const $ = (id) => document.getElementById(id);
const ui = {
  status: $("status"), text: $("text"), speak: $("speak"), stop: $("stop"), live: $("live"),
  liveHint: $("live-hint"), voice: $("voice"), maxAudio: $("max-audio"), apiKey: $("api-key"),
  record: $("record"), mic: $("mic"), history: $("history"), empty: $("empty"),
  download: $("download"),
};
const params = new URLSearchParams(location.search);

const state = {
  client: null,
  connecting: null, // the Promise of connect()
  entries: [], // {role, text, summary, element, turn}
  lastTurn: null, // the last assistant turn that finished, for the download
  liveTurn: null, // the turn being typed (type as you go)
  liveSent: "", // the part of the text box already sent as text.delta
  recorder: null,
  redraw: null, // the timer of renderSoon()
};

const EMPTY_STATS = { responses: 0, frames: 0, underruns: 0, ttfa_ms: null,
                      last_done_reason: null, played_ms: 0, buffered_ms: 0, codec: null };
window.csmPlayground = {
  get stats() {
    return state.client ? state.client.stats : { ...EMPTY_STATS };
  },
  get history() {
    return state.entries.map(({ role, text, summary }) => ({ role, text, summary }));
  },
  errors: [],
};

function setStatus(text, kind = "") {
  ui.status.textContent = text;
  ui.status.className = `pill ${kind}`;
}

function showError(message) {
  window.csmPlayground.errors.push(message);
  setStatus(message, "bad");
}

function maxAudioMs() {
  const value = Number(ui.maxAudio.value);
  return value >= 80 ? value : undefined;
}

// --- the connection ---------------------------------------------------------------------------

function client() {
  if (!state.client) {
    const jitter = params.has("jitter_ms") ? { jitterMs: Number(params.get("jitter_ms")) } : {};
    const c = new CsmClient({ apiKey: ui.apiKey.value.trim(), ...jitter });
    c.addEventListener("stats", renderSoon);
    c.addEventListener("turn", (e) => renderEntry(entryOf(e.detail)));
    c.addEventListener("error", (e) => showError(`${e.detail.code}: ${e.detail.message}`));
    c.addEventListener("close", (e) => {
      if (state.client !== c) return;  // replaced (a new API key)
      state.connecting = null;
      setStatus(e.detail.code === 1000 ? "closed" : `closed (${e.detail.code})`, "bad");
    });
    state.client = c;
  }
  return state.client;
}

/** The connected client; connects on first use (from a click, so audio may start). */
function connected() {
  const c = client();
  if (!state.connecting) {
    setStatus("connecting…");
    c.options.voice = ui.voice.value || undefined;
    state.connecting = c.connect().then(
      () => {
        const audio = c.audioState === "running" ? "" : " · click to enable audio";
        setStatus(`connected · ${c.stats.codec}${audio}`, audio ? "warn" : "ok");
        renderCounters();
        return c;
      },
      (e) => {
        state.connecting = null;
        showError(e.message);
        throw e;
      });
  }
  return state.connecting;
}

function reconnect() {
  if (state.client) state.client.close();
  state.client = null;
  state.connecting = null;
  setStatus("offline");
  loadVoices();
}

async function loadVoices() {
  const chosen = params.get("voice") ?? ui.voice.value;
  try {
    const voices = await client().voices();
    ui.voice.replaceChildren(...voices.map((v) => new Option(v, v, false, v === chosen)));
  } catch (e) {
    showError(`${e.message}${e.message.includes("401") ? ": set the API key" : ""}`);
  }
}

// --- speaking ---------------------------------------------------------------------------------

async function speak() {
  if (ui.live.checked) return finishLiveTurn();
  const text = ui.text.value.trim();
  if (!text) return;
  const c = await connected();
  track(c.speak(text, { maxAudioMs: maxAudioMs() }));
}

async function stop() {
  if (state.client) await state.client.stop();
}

// Type as you go: what was appended to the text box goes out as text.delta at once. A turn
// that has ended (max_audio_ms reached, stopped) takes no more text until Enter starts afresh.
async function onInput() {
  if (!ui.live.checked || !state.client?.session) return;
  const value = ui.text.value;
  if (!value.startsWith(state.liveSent) || state.liveTurn?.state === "finished") {
    state.liveSent = value;  // an edit of text already sent: it cannot be taken back
    return;
  }
  const delta = value.slice(state.liveSent.length);
  if (!delta) return;
  if (!state.liveTurn) {
    state.liveTurn = state.client.stream({ maxAudioMs: maxAudioMs() });
    track(state.liveTurn);
  }
  state.liveTurn.append(delta);
  state.liveSent = value;
  renderEntry(entryOf(state.liveTurn));
}

function finishLiveTurn() {
  if (state.liveTurn) state.liveTurn.end();
  state.liveTurn = null;
  state.liveSent = "";
  ui.text.value = "";
}

async function toggleLive() {
  ui.liveHint.hidden = !ui.live.checked;
  finishLiveTurn();
  if (ui.live.checked) {
    await connected();
    ui.text.focus();
  }
}

// --- the user's turn from the microphone -------------------------------------------------------

async function toggleRecording() {
  if (state.recorder) return state.recorder.stop();
  if (state.client) state.client.stop();  // the user talks: barge-in
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch (e) {
    return showError(`microphone: ${e.message}`);
  }
  const recorder = new MediaRecorder(stream);
  const chunks = [];
  recorder.ondataavailable = (e) => chunks.push(e.data);
  recorder.onstop = () => {
    stream.getTracks().forEach((t) => t.stop());
    state.recorder = null;
    ui.record.textContent = "Record your turn";
    ui.record.classList.remove("recording");
    addRecording(new Blob(chunks, { type: recorder.mimeType }));
  };
  recorder.start();
  state.recorder = recorder;
  ui.record.textContent = "Stop recording";
  ui.record.classList.add("recording");
}

// MediaRecorder makes WebM/Opus (Chromium, Firefox) or MP4/AAC (Safari), which context.add does
// not read: the browser decodes it, resampled to the model's 24 kHz, and PCM goes out.
async function addRecording(blob) {
  const entry = addEntry("user", "(recording)");
  try {
    const decoder = new OfflineAudioContext(1, 1, 24000);
    const audio = await decoder.decodeAudioData(await blob.arrayBuffer());
    const c = await connected();
    const added = await c.addContext({ speaker: 1, audio });
    entry.summary = { audio_ms: added.audio_ms, item_id: added.item_id };
  } catch (e) {
    entry.summary = { error: e.message };
    showError(`recording: ${e.message}`);
  }
  renderEntry(entry);
}

// --- the conversation -------------------------------------------------------------------------

function addEntry(role, text, turn = null) {
  const element = document.createElement("li");
  element.className = role;
  const entry = { role, text, summary: turn ? turn.summary : null, element, turn };
  state.entries.push(entry);
  ui.history.append(element);
  ui.empty.hidden = true;
  renderEntry(entry);
  return entry;
}

function entryOf(turn) {
  return state.entries.find((e) => e.turn === turn);
}

function track(turn) {
  const entry = addEntry("assistant", turn.text, turn);
  turn.done.then(() => {
    renderEntry(entry);
    renderCounters();
    if (turn.summary.frames_decoded > 0) {
      state.lastTurn = turn;
      ui.download.hidden = false;
    }
  });
}

function describe(entry) {
  const s = entry.summary;
  if (!s) return "";
  if (entry.role === "user") {
    return s.error ? s.error : `${s.audio_ms} ms of audio added to the context`;
  }
  const parts = [];
  if (s.ttfa_ms !== null) parts.push(`TTFA ${Math.round(s.ttfa_ms)} ms`);
  if (s.server_ttfa_ms !== null) parts.push(`server ${Math.round(s.server_ttfa_ms)} ms`);
  if (s.first_sound_ms !== null) parts.push(`first sound ${Math.round(s.first_sound_ms)} ms`);
  parts.push(`${s.frames_decoded} frames`, `played ${s.played_ms} ms`, `${s.underruns} underruns`);
  if (s.reason) {
    parts.push(s.interrupted && s.reason !== "cancelled" ? `${s.reason}, stopped` : s.reason);
  }
  if (s.error) parts.push(`${s.error.code}${s.error.message ? `: ${s.error.message}` : ""}`);
  return parts.join(" · ");
}

function renderEntry(entry) {
  if (!entry) return;
  if (entry.turn) entry.text = entry.turn.text;
  const who = entry.role === "user" ? "You" : `CSM${entry.turn?.id ? ` #${entry.turn.id}` : ""}`;
  const live = entry.turn && entry.turn.state !== "finished" ? " speaking" : "";
  entry.element.className = `${entry.role}${live}`;
  const element = (tag, className, textContent) =>
    Object.assign(document.createElement(tag), { className, textContent });
  entry.element.replaceChildren(element("div", "who", who), element("p", "", entry.text),
                                element("div", "meta", describe(entry)));
}

// The client reports about 40 times a second; the page redraws its numbers at most 10 times.
function renderSoon() {
  state.redraw ??= setTimeout(() => {
    state.redraw = null;
    renderCounters();
  }, 100);
}

function renderCounters() {
  const s = window.csmPlayground.stats;
  const current = state.entries.findLast((e) => e.turn);
  const ms = (v) => (v === null || v === undefined ? "–" : `${Math.round(v)} ms`);
  const values = {
    ttfa: ms(s.ttfa_ms), first_sound: ms(current?.turn.summary.first_sound_ms),
    buffered: ms(s.buffered_ms), played: ms(s.played_ms), frames: s.frames,
    underruns: s.underruns, responses: s.responses, codec: s.codec ?? "–",
  };
  for (const [key, value] of Object.entries(values)) {
    document.querySelector(`[data-stat="${key}"]`).textContent = value;
  }
  const playing = current?.turn.state !== "finished";
  if (current && playing) renderEntry(current);
}

// --- the download -----------------------------------------------------------------------------

/** A 16-bit mono WAV file of `samples` (floats in [-1, 1]). */
function wavBlob(samples, sampleRate) {
  const view = new DataView(new ArrayBuffer(44 + samples.length * 2));
  const text = (at, s) => [...s].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
  text(0, "RIFF");
  view.setUint32(4, 36 + samples.length * 2, true);
  text(8, "WAVEfmt ");
  view.setUint32(16, 16, true);  // format chunk size
  view.setUint16(20, 1, true);   // PCM
  view.setUint16(22, 1, true);   // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);  // bytes per second
  view.setUint16(32, 2, true);   // bytes per sample frame
  view.setUint16(34, 16, true);  // bits per sample
  text(36, "data");
  view.setUint32(40, samples.length * 2, true);
  samples.forEach((s, i) => view.setInt16(44 + i * 2, Math.max(-1, Math.min(1, s)) * 32767, true));
  return new Blob([view.buffer], { type: "audio/wav" });
}

function download() {
  if (!state.lastTurn) return;
  const { samples, sampleRate } = state.lastTurn.audio();
  const url = URL.createObjectURL(wavBlob(samples, sampleRate));
  ui.download.href = url;
  ui.download.download = `csm-response-${state.lastTurn.id}.wav`;
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// --- wiring -----------------------------------------------------------------------------------

// A failure to connect is shown by connected(); nothing else is left to report.
const shown = (f) => () => f().catch(() => {});
ui.speak.addEventListener("click", shown(speak));
ui.stop.addEventListener("click", stop);
ui.live.addEventListener("change", shown(toggleLive));
ui.text.addEventListener("input", onInput);
ui.text.addEventListener("keydown", (e) => {
  if (e.key !== "Enter" || e.shiftKey) return;
  if (ui.live.checked) {
    e.preventDefault();
    finishLiveTurn();
  } else if (e.ctrlKey || e.metaKey) {
    e.preventDefault();
    shown(speak)();
  }
});
ui.voice.addEventListener("change", () => {
  if (state.client?.session) {
    state.client.update({ voice: ui.voice.value }).catch((e) => showError(e.message));
  }
});
ui.apiKey.addEventListener("change", reconnect);
$("settings").addEventListener("submit", (e) => e.preventDefault());
ui.record.addEventListener("click", toggleRecording);
ui.download.addEventListener("click", download);
// Browsers start audio only after a gesture: any click resumes it.
document.addEventListener("click", () => state.client?.resumeAudio().then((running) => {
  if (running && ui.status.classList.contains("warn")) {
    setStatus(`connected · ${state.client.stats.codec}`, "ok");
  }
}));

if (!navigator.mediaDevices?.getUserMedia || typeof MediaRecorder !== "function") {
  ui.record.disabled = true;
  ui.mic.textContent = "The microphone needs a secure page: localhost or HTTPS.";
}
ui.apiKey.value = params.get("api_key") ?? "";
ui.text.value = params.get("text") ?? "";
if (params.has("max_audio_ms")) ui.maxAudio.value = params.get("max_audio_ms");
await loadVoices();
if (params.get("autoplay") === "1" && ui.text.value.trim()) shown(speak)();
