// Cartesia's own Node SDK, @cartesia/cartesia-js (its CommonJS build), pointed at csm-server's
// Cartesia routes with only baseURL and apiKey, over TLS: tts.generate() (POST /tts/bytes) as
// WAV and as raw float PCM, tts.generateSSE() (POST /tts/sse), tts.websocket() (wss
// /tts/websocket: one context fed in two pieces), then tts.generate() with a voice the server
// does not have, which must throw the SDK's APIError. Prints one JSON object with what each
// part got; a part that failed has `error` (a string) instead, and the others still run.
//   node cartesia-js.cjs BASE_URL API_KEY VOICE_ID      (BASE_URL: https://127.0.0.1:PORT)
// The server's certificate is trusted by the caller: NODE_EXTRA_CA_CERTS=CERT.pem (Node's
// fetch, which the SDK uses for REST, and the `ws` package, which it uses for the WebSocket,
// both read it). TLS verification stays on.
"use strict";

const { Cartesia } = require("@cartesia/cartesia-js");

const [baseURL, apiKey, voiceId] = process.argv.slice(2);
if (!baseURL || !apiKey || !voiceId) {
  console.error("usage: node cartesia-js.cjs BASE_URL API_KEY VOICE_ID");
  process.exit(2);
}

const kModel = "sonic-3";
const kPartTimeoutMs = 120000;

// No retries: a failure shows on its first try, and no request is generated twice.
const client = new Cartesia({ apiKey, baseURL, maxRetries: 0, timeout: kPartTimeoutMs });
const voice = { mode: "id", id: voiceId };

// The SDK reports some WebSocket failures as rejections nobody can await (when no `error`
// listener is bound yet, e.g. while connecting): record them instead of dying.
const unhandled = [];
process.on("unhandledRejection", (reason) => unhandled.push(describe(reason)));

// "Class: message", with its causes (fetch's "fetch failed" hides e.g. a certificate error
// two levels down).
function describe(error, depth = 0) {
  if (error === null || error === undefined || typeof error !== "object") return String(error);
  // The SDK's error classes (BadRequestError, ...) do not set `name`.
  const name = (error.constructor && error.constructor.name) || error.name || "Error";
  const cause = error.cause && depth < 3 ? ` (cause: ${describe(error.cause, depth + 1)})` : "";
  return `${name}: ${error.message || error}${cause}`;
}

// Runs one part; its result, or {error} when it threw.
async function part(fn) {
  try {
    return await fn();
  } catch (e) {
    return { error: describe(e) };
  }
}

// The RIFF header of a WAV: the fmt chunk's fields and the data chunk's size field, and how
// many bytes follow the data chunk's header (a streamed WAV may give its data size as
// 0xFFFFFFFF, "unknown").
function parseWav(buf) {
  const wav = { riff: buf.toString("ascii", 0, 4), wave: buf.toString("ascii", 8, 12) };
  let offset = 12;
  while (offset + 8 <= buf.length) {
    const id = buf.toString("ascii", offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === "fmt " && body + 16 <= buf.length) {
      wav.audio_format = buf.readUInt16LE(body);  // 1 PCM, 3 IEEE float, 0xFFFE extensible
      wav.channels = buf.readUInt16LE(body + 2);
      wav.sample_rate = buf.readUInt32LE(body + 4);
      wav.byte_rate = buf.readUInt32LE(body + 8);
      wav.block_align = buf.readUInt16LE(body + 12);
      wav.bits_per_sample = buf.readUInt16LE(body + 14);
    } else if (id === "data") {
      wav.data_size_field = size;
      wav.data_offset = body;
      wav.data_bytes = buf.length - body;
      break;
    }
    offset = body + size + (size % 2);
  }
  return wav;
}

async function bytes(outputFormat) {
  const response = await client.tts.generate({
    model_id: kModel,
    transcript: "Hello there, this is a test of the bytes endpoint.",
    voice,
    output_format: outputFormat,
  });
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, content_type: response.headers.get("content-type"), body };
}

async function bytesWav() {
  const r = await bytes({ container: "wav", encoding: "pcm_s16le", sample_rate: 24000 });
  return { status: r.status, content_type: r.content_type, bytes: r.body.length, wav: parseWav(r.body) };
}

async function bytesRaw() {
  const r = await bytes({ container: "raw", encoding: "pcm_f32le", sample_rate: 24000 });
  return { status: r.status, content_type: r.content_type, bytes: r.body.length };
}

async function sse() {
  const contextId = "sse-context-1";
  const stream = await client.tts.generateSSE({
    model_id: kModel,
    transcript: "Hello there, this is a test of the server sent events endpoint.",
    voice,
    output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: 24000 },
    context_id: contextId,
  });
  const result = { chunks: 0, audio_bytes: 0, done: false, events_after_done: 0, other_events: [],
                   context_ids: [], status_codes: [], step_times: 0, ended: false };
  // The stream must end by itself after `done` (the server closes the response).
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; stream.controller.abort(); }, kPartTimeoutMs);
  try {
    for await (const event of stream) {
      if (result.done) result.events_after_done += 1;
      if (event.context_id !== undefined && !result.context_ids.includes(event.context_id)) {
        result.context_ids.push(event.context_id);
      }
      if (!result.status_codes.includes(event.status_code)) result.status_codes.push(event.status_code);
      if (event.type === "chunk") {
        result.chunks += 1;
        result.audio_bytes += Buffer.from(event.data, "base64").length;
        if (typeof event.step_time === "number") result.step_times += 1;
      } else if (event.type === "done") {
        result.done = event.done === true;
      } else {
        result.other_events.push(event.type === "error" ? `error: ${event.message}` : String(event.type));
      }
    }
  } finally {
    clearTimeout(timer);
  }
  result.ended = !timedOut;
  return result;
}

async function websocket() {
  const ws = await client.tts.websocket();
  const errors = [];
  ws.on("error", (e) => errors.push(describe(e)));
  try {
    const context = ws.context({
      model_id: kModel,
      voice,
      output_format: { container: "raw", encoding: "pcm_s16le", sample_rate: 24000 },
      timeout: kPartTimeoutMs,
    });
    await context.push({ transcript: "Hello there. " });
    await context.send({ transcript: "How are you?", continue: false });
    const result = { chunks: 0, audio_bytes: 0, done: false, other_events: [] };
    for await (const event of context.receive()) {
      if (event.type === "chunk") {
        result.chunks += 1;
        result.audio_bytes += event.audio.length;  // the SDK's decoding of `data`
      } else if (event.type === "done") {
        result.done = true;
      } else {
        result.other_events.push(String(event.type));
      }
    }
    if (errors.length) result.socket_errors = errors;
    return result;
  } finally {
    ws.close();
  }
}

async function unknownVoice() {
  try {
    const response = await client.tts.generate({
      model_id: kModel,
      transcript: "This voice does not exist.",
      voice: { mode: "id", id: "no-such-voice-3f9c" },
      output_format: { container: "wav", encoding: "pcm_s16le", sample_rate: 24000 },
    });
    return { thrown: false, status: response.status };
  } catch (e) {
    return {
      thrown: true,
      class: e.constructor.name,
      is_api_error: e instanceof Cartesia.APIError,
      status: e.status,
      message: e.message,
      body: e.error,
    };
  }
}

(async () => {
  const result = {};
  result.bytes_wav = await part(bytesWav);
  result.bytes_raw = await part(bytesRaw);
  result.sse = await part(sse);
  result.websocket = await part(websocket);
  result.unknown_voice = await part(unknownVoice);
  if (unhandled.length) result.unhandled = unhandled;
  console.log(JSON.stringify(result));
  process.exit(0);
})();
