// The official OpenAI Node SDK against csm-server, called as an OpenAI user calls it (our
// extensions, max_audio_ms and conversation_id, go in the body as extra fields: the SDK sends
// them on, as Python's extra_body does). Each command prints one JSON object on stdout for
// tests/server/openai_sdk_test.cpp to check.
//   node openai.mjs COMMAND BASE_URL API_KEY [ARGS...]
//   formats DIR FORMAT...   one file per response_format: DIR/speech.FORMAT ("default": none)
//   sse                     stream_format "sse", read with the SDK's SSE reader
//   voices VOICE...         every voice by name, and the first as a voice object {"id": NAME}
//   instructions            instructions, and the response's X-CSM-Ignored (withResponse())
//   speed SPEED...          pcm samples per speed
//   keepalive N             N requests through one client: TCP connections it opened
//   conversation ID         two turns of conversation ID: prompt rows per turn (/metrics)
import dc from "node:diagnostics_channel";
import fs from "node:fs";
import OpenAI from "openai";
import { Stream } from "openai/streaming";

const [command, baseURL, apiKey, ...args] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
const text = "Hello from the OpenAI SDK.";

const speak = (params = {}) =>
  client.audio.speech.create({ model: "tts-1", voice: "alloy", input: text, ...params });
const bytes = async (params) => (await (await speak(params)).arrayBuffer()).byteLength;

// The server's Prometheus text, fetched through the same connection pool as the SDK's.
async function metric(name) {
  const page = await (await fetch(new URL("/metrics", baseURL))).text();
  const line = page.split("\n").find((l) => l.startsWith(name + " "));
  if (!line) throw new Error(`no ${name} in /metrics`);
  return Number(line.slice(name.length + 1));
}

const commands = {
  async formats(dir, ...formats) {
    const sizes = await Promise.all(
      formats.map(async (format) => {
        const response = await speak(format === "default" ? {} : { response_format: format });
        const data = Buffer.from(await response.arrayBuffer());
        fs.writeFileSync(`${dir}/speech.${format}`, data);
        return [format, { bytes: data.length, content_type: response.headers.get("content-type") }];
      }),
    );
    return Object.fromEntries(sizes);
  },

  async sse() {
    const response = await speak({ model: "gpt-4o-mini-tts", response_format: "pcm", stream_format: "sse" });
    const result = { content_type: response.headers.get("content-type"), deltas: 0, bytes: 0, other: [] };
    for await (const event of Stream.fromSSEResponse(response, new AbortController())) {
      if (event.type === "speech.audio.delta") {
        result.deltas += 1;
        result.bytes += Buffer.from(event.audio, "base64").length;
      } else if (event.type === "speech.audio.done") {
        result.usage = event.usage;
      } else {
        result.other.push(event);
      }
    }
    return result;
  },

  async voices(...voices) {
    const request = (voice) => bytes({ voice, response_format: "pcm", max_audio_ms: 240 });
    const sizes = await Promise.all(voices.map(async (voice) => [voice, await request(voice)]));
    return { ...Object.fromEntries(sizes), [`{"id":"${voices[0]}"}`]: await request({ id: voices[0] }) };
  },

  async instructions() {
    const { data, response } = await speak({
      instructions: "Speak in a cheerful and positive tone.",
      response_format: "wav",
    }).withResponse();
    return { bytes: (await data.arrayBuffer()).byteLength, ignored: response.headers.get("x-csm-ignored") };
  },

  async speed(...speeds) {
    const sizes = await Promise.all(
      speeds.map(async (speed) => [speed, (await bytes({ speed: Number(speed), response_format: "pcm" })) / 2]),
    );
    return Object.fromEntries(sizes);
  },

  // Node's fetch (undici) hands a connection back to its pool just after the body's promise
  // resolves: a request sent in the same tick opens a second connection. An application
  // awaits something between two requests; so does this loop (setImmediate).
  async keepalive(n) {
    const ports = new Set();
    dc.subscribe("undici:client:connected", ({ socket }) => ports.add(socket.localPort));
    const sizes = [];
    for (let i = 0; i < Number(n); i++) {
      sizes.push(await bytes({ response_format: "wav", max_audio_ms: 240 }));
      await new Promise((resolve) => setImmediate(resolve));
    }
    return { sizes, connections: ports.size, server_connections: await metric("csm_connections") };
  },

  async conversation(id) {
    const rows = async () => ({
      reused: await metric('csm_prompt_rows_total{source="reused"}'),
      prefilled: await metric('csm_prompt_rows_total{source="prefilled"}'),
    });
    const turns = [];
    for (const input of ["This is the first turn of our talk.", "And this is the second turn."]) {
      const before = await rows();
      await bytes({ input, response_format: "pcm", max_audio_ms: 400, conversation_id: id });
      const after = await rows();
      turns.push({ reused: after.reused - before.reused, prefilled: after.prefilled - before.prefilled });
    }
    return turns;
  },
};

if (!commands[command]) throw new Error(`unknown command ${command}`);
console.log(JSON.stringify(await commands[command](...args)));
