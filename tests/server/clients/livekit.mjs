// LiveKit Agents' OpenAI TTS (@livekit/agents-plugin-openai) pointed at csm-server with only
// baseURL and apiKey, outside a LiveKit room. The plugin asks for tts-1, alloy, pcm at speed 1
// and does not stream (capabilities.streaming false): an agent wraps it in a StreamAdapter that
// synthesizes sentence by sentence, as `stream` does here. Prints one JSON object: per run the
// frames' count, samples and sample rates, and every request the plugin sent (body and the
// response's status and X-CSM-Ignored).
//   node livekit.mjs BASE_URL API_KEY
import { initializeLogger, tokenize, tts } from "@livekit/agents";
import * as openai from "@livekit/agents-plugin-openai";

const [baseURL, apiKey] = process.argv.slice(2);
initializeLogger({ pretty: false, level: "warn" });

// What the plugin sends and gets back: its OpenAI client calls the global fetch.
const requests = [];
const fetchAudio = globalThis.fetch;
globalThis.fetch = async (url, init) => {
  const response = await fetchAudio(url, init);
  if (String(url).endsWith("/audio/speech")) {
    requests.push({ body: JSON.parse(init.body), status: response.status, ignored: response.headers.get("x-csm-ignored") });
  }
  return response;
};

// The audio events of a ChunkedStream or a SynthesizeStream, summed up.
async function collect(stream) {
  const result = { frames: 0, samples: 0, sample_rates: [], channels: [], requests: 0 };
  const ids = new Set();
  for await (const audio of stream) {
    if (audio === tts.SynthesizeStream.END_OF_STREAM) break;
    result.frames += 1;
    result.samples += audio.frame.samplesPerChannel;
    if (!result.sample_rates.includes(audio.frame.sampleRate)) result.sample_rates.push(audio.frame.sampleRate);
    if (!result.channels.includes(audio.frame.channels)) result.channels.push(audio.frame.channels);
    ids.add(audio.requestId);
  }
  result.requests = ids.size;
  return result;
}

const plain = new openai.TTS({ baseURL, apiKey });
const instructed = new openai.TTS({ baseURL, apiKey, instructions: "Speak in a calm voice." });
const adapter = new tts.StreamAdapter(instructed, new tokenize.basic.SentenceTokenizer());
const result = {
  sample_rate: plain.sampleRate,
  streaming: plain.capabilities.streaming,
  synthesize: await collect(plain.synthesize("Hello from a LiveKit agent.")),
  instructions: await collect(instructed.synthesize("Hello again, calmly this time.")),
};
const stream = adapter.stream();
stream.pushText("The first sentence of this reply is here. ");
stream.pushText("And this is the second sentence of the same reply.");
stream.endInput();
result.stream = await collect(stream);
result.requests = requests;
await adapter.close();
await Promise.all([plain.close(), instructed.close()]);
console.log(JSON.stringify(result));
