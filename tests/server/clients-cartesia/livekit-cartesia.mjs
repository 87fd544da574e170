// LiveKit Agents' Cartesia TTS (@livekit/agents-plugin-cartesia) pointed at csm-server's
// /tts/websocket with only baseUrl and apiKey, outside a LiveKit room: a stream() fed in
// pieces to its end, a stream closed after a few frames (an interruption: the plugin drops
// its pooled socket), then another full stream. Prints one JSON object with, per run, the
// frames' count, samples, sample rates and channels.
//   node livekit-cartesia.mjs BASE_URL API_KEY VOICE_ID
import { initializeLogger, tts } from "@livekit/agents";
import * as cartesia from "@livekit/agents-plugin-cartesia";

const [baseUrl, apiKey, voice] = process.argv.slice(2);
initializeLogger({ pretty: false, level: "warn" });

// The audio of a stream, summed up; with `stopAfter`, the stream is closed after that many
// frames.
async function collect(stream, stopAfter = Infinity) {
  const result = { frames: 0, samples: 0, sample_rates: [], channels: [] };
  for await (const audio of stream) {
    if (audio === tts.SynthesizeStream.END_OF_STREAM) break;
    result.frames += 1;
    result.samples += audio.frame.samplesPerChannel;
    if (!result.sample_rates.includes(audio.frame.sampleRate)) result.sample_rates.push(audio.frame.sampleRate);
    if (!result.channels.includes(audio.frame.channels)) result.channels.push(audio.frame.channels);
    if (result.frames >= stopAfter) break;
  }
  stream.close();
  return result;
}

function speak(texts) {
  const stream = plugin.stream();
  for (const text of texts) stream.pushText(text);
  stream.flush();
  stream.endInput();
  return stream;
}

const plugin = new cartesia.TTS({ baseUrl, apiKey, voice, model: "sonic-2", sampleRate: 24000 });
const result = { sample_rate: plugin.sampleRate, streaming: plugin.capabilities.streaming };
result.stream = await collect(speak(["Hello there, this is the first sentence ", "of a reply that comes in pieces. ",
                                     "And this is its second sentence, a little longer."]));
result.interrupted = await collect(
  speak(["This reply is interrupted long before it ends, so nobody hears all of it. ",
         "Nor this second sentence of it, which is never spoken."]),
  3);
result.after = await collect(speak(["After the interruption, the next reply is spoken in full."]));
await plugin.close();
console.log(JSON.stringify(result));
