/**
 * The audio side of csm-client.js: the decoder of one response's binary frames (Opus with
 * WebCodecs' AudioDecoder, or s16le PCM), a resampler for a rate other than the
 * AudioContext's, and the player (the AudioContext and the jitter buffer of
 * playback-worklet.js, in an AudioWorklet or, where there is none, a ScriptProcessorNode).
 * Internal to csm-client.js: its API may change.
 */

export const OUTPUT_RATE = 48000; // the AudioContext's rate: Opus decodes at 48 kHz
export const OPUS_PACKET_MS = 20; // the Opus packet duration the client asks for

/** Linear interpolation from one rate to another, continuous across chunks. */
export class Resampler {
  constructor(from, to) {
    this.step = from / to;
    this.pos = 0; // position of the next output sample, in input samples after `last`
    this.last = 0; // the previous chunk's last sample
  }

  process(input) {
    if (this.step === 1) return input;
    const out = [];
    for (; this.pos < input.length; this.pos += this.step) {
      const i = Math.floor(this.pos);
      const before = i === 0 ? this.last : input[i - 1];
      const frac = this.pos - i;
      out.push(before + (input[i] - before) * frac);
    }
    this.pos -= input.length;
    this.last = input[input.length - 1];
    return Float32Array.from(out);
  }
}

/** Turns one response's binary payloads into samples: Opus with WebCodecs, or s16le PCM. */
export class ResponseDecoder {
  /**
   * codec: "opus" or "pcm"; preSkip: samples at 48 kHz to drop from the start
   * (response.created's opus_pre_skip); pcmRate: the PCM's sample rate; onSamples(samples,
   * rate); onMessage(): a binary message is decoded; onError(message).
   */
  constructor({ codec, preSkip, pcmRate, onSamples, onMessage, onError }) {
    this.codec = codec;
    this.pcmRate = pcmRate;
    this.onSamples = onSamples;
    this.onMessage = onMessage;
    this.skip48k = preSkip;
    this.lastOfMessage = []; // per packet handed to the decoder: does it end its message?
    this.packets = 0;
    if (codec === "opus") {
      this.decoder = new AudioDecoder({
        output: (data) => this.output(data),
        error: (e) => onError(`Opus decoder: ${e.message}`),
      });
      this.decoder.configure({ codec: "opus", sampleRate: OUTPUT_RATE, numberOfChannels: 1 });
    }
  }

  /** The payload of one binary message (a frame or the tail). */
  decode(payload) {
    if (this.codec === "pcm") {
      const samples = new Int16Array(payload.slice().buffer);
      this.onSamples(Float32Array.from(samples, (s) => s / 32768), this.pcmRate);
      this.onMessage();
      return;
    }
    const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    const packets = [];
    for (let at = 0; at + 2 <= payload.byteLength;) {
      const size = view.getUint16(at, true);
      packets.push(payload.subarray(at + 2, at + 2 + size));
      at += 2 + size;
    }
    if (packets.length === 0) this.onMessage();
    packets.forEach((data, i) => {
      this.lastOfMessage.push(i === packets.length - 1);
      const timestamp = this.packets++ * OPUS_PACKET_MS * 1000; // microseconds
      this.decoder.decode(new EncodedAudioChunk({ type: "key", timestamp, data }));
    });
  }

  output(data) {
    const samples = new Float32Array(data.numberOfFrames);
    data.copyTo(samples, { planeIndex: 0, format: "f32-planar" });
    const rate = data.sampleRate;
    data.close();
    // The encoder's pre-skip: the decoder's first samples are its warm-up, not audio.
    const skip = Math.min(samples.length, Math.round((this.skip48k * rate) / 48000));
    this.skip48k -= (skip * 48000) / rate;
    if (skip < samples.length) this.onSamples(samples.subarray(skip), rate);
    if (this.lastOfMessage.shift()) this.onMessage();
  }

  /** Resolves once every payload given so far has been decoded. */
  async flush() {
    if (this.decoder && this.decoder.state === "configured") await this.decoder.flush();
  }

  close() {
    if (this.decoder && this.decoder.state !== "closed") this.decoder.close();
  }
}

/** The AudioContext and the jitter buffer (AudioWorklet, or a ScriptProcessor without one). */
export class Player {
  static async create(onMessage) {
    const context = new AudioContext({ sampleRate: OUTPUT_RATE, latencyHint: "interactive" });
    const player = new Player(context, onMessage);
    const worklet = new URL("./playback-worklet.js", import.meta.url);
    if (context.audioWorklet) {
      await context.audioWorklet.addModule(worklet);
      player.node = new AudioWorkletNode(context, "csm-playback", {
        numberOfInputs: 0, outputChannelCount: [1] });
      player.node.port.onmessage = (e) => onMessage(e.data);
      player.post = (m, transfer) => player.node.port.postMessage(m, transfer);
    } else {
      // No AudioWorklet (pages not served from localhost or HTTPS): the same buffer on the
      // main thread, fed by a ScriptProcessorNode (more latency, same behaviour).
      const { JitterBuffer } = await import(worklet);
      const emit = (m) => queueMicrotask(() => onMessage(m));
      const buffer = new JitterBuffer(context.sampleRate, emit);
      player.node = context.createScriptProcessor(2048, 0, 1);
      player.node.onaudioprocess = (e) => buffer.render(e.outputBuffer.getChannelData(0));
      player.post = (m) => buffer.handle(m);
    }
    player.node.connect(context.destination);
    return player;
  }

  constructor(context, onMessage) {
    this.context = context;
    this.onMessage = onMessage;
  }

  get sampleRate() {
    return this.context.sampleRate;
  }

  /** Starts the context; false when the browser still waits for a user gesture. */
  async resume() {
    if (this.context.state !== "running") {
      await Promise.race([this.context.resume(), new Promise((r) => setTimeout(r, 300))]);
    }
    return this.context.state === "running";
  }

  push(id, samples) {
    this.post({ type: "audio", id, samples }, [samples.buffer]);
  }

  close() {
    this.node.disconnect();
    this.context.close();
  }
}
