/**
 * Playback with a jitter buffer, for csm-client.js: an AudioWorklet module (loaded with
 * `audioContext.audioWorklet.addModule("/web/playback-worklet.js")`, processor name
 * "csm-playback") that also exports the buffer's logic as a plain class, so that a page
 * without AudioWorklet (an insecure context) runs the same code in a ScriptProcessorNode.
 *
 * Responses play one after the other, in the order they were started. Each one waits until
 * `targetMs` of its audio is buffered (or its audio is complete) before it starts; when its
 * buffer runs dry while more audio is due, that is one underrun, and it waits for `targetMs`
 * again. Each underrun raises the target by `stepMs` (up to `maxTargetMs`), so a slow
 * network costs a little latency rather than repeated gaps.
 *
 * Messages to the buffer (all sample counts at the AudioContext's rate):
 *   {type: "start", id}                   a response begins (its audio follows)
 *   {type: "audio", id, samples}          Float32Array of mono samples, in order
 *   {type: "end", id, totalSamples}       no more audio; samples past totalSamples are dropped
 *   {type: "cancel", id}                  drop the rest now; answered with "cancelled"
 *   {type: "config", targetMs, maxTargetMs, stepMs}
 * Messages from it:
 *   {type: "playing", id}                 the response's first sample is being played
 *   {type: "underrun", id, underruns}     its buffer ran dry while more audio was due
 *   {type: "finished", id, played}        all its audio has been played
 *   {type: "cancelled", id, played}       the answer to "cancel"
 *   {type: "stats", id, played, buffered, underruns, targetMs}  about every 25 ms while busy
 * `played` counts the samples of the response handed to the audio output: what the listener
 * has heard, up to the output's own latency of a few ms.
 */

export class JitterBuffer {
  /** @param {number} sampleRate  @param {(message: object) => void} emit */
  constructor(sampleRate, emit) {
    this.sampleRate = sampleRate;
    this.emit = emit;
    this.targetMs = 120;
    this.maxTargetMs = 400;
    this.stepMs = 40;
    this.responses = []; // the playing one first; each: {id, chunks, offset, buffered, ...}
    this.sinceStats = 0;
  }

  handle(message) {
    const r = this.responses.find((x) => x.id === message.id);
    switch (message.type) {
      case "start":
        this.responses.push({ id: message.id, chunks: [], offset: 0, buffered: 0, received: 0,
                              total: Infinity, ended: false, waiting: true, played: 0,
                              underruns: 0, started: false });
        break;
      case "audio":
        if (!r || r.ended) break;
        r.chunks.push(message.samples);
        r.buffered += message.samples.length;
        r.received += message.samples.length;
        break;
      case "end":
        if (!r) break;
        r.ended = true;
        r.total = message.totalSamples ?? Infinity;
        // The encoder's tail is padded with silence: what lies past the total is not audio.
        r.buffered = Math.max(0, Math.min(r.buffered, r.total - (r.received - r.buffered)));
        break;
      case "cancel":
        if (r) this.responses.splice(this.responses.indexOf(r), 1);
        this.emit({ type: "cancelled", id: message.id, played: r ? r.played : 0 });
        break;
      case "config":
        for (const key of ["targetMs", "maxTargetMs", "stepMs"]) {
          if (message[key] !== undefined) this[key] = message[key];
        }
        break;
    }
  }

  /** Fills `out` (one render quantum) with the next samples, or silence. */
  render(out) {
    let at = 0;
    while (at < out.length && this.responses.length > 0) {
      const r = this.responses[0];
      if (r.buffered === 0 && r.ended) {
        this.responses.shift();
        this.emit({ type: "finished", id: r.id, played: r.played });
        continue;
      }
      if (r.waiting) {
        if (!r.ended && r.buffered < (this.targetMs * this.sampleRate) / 1000) break;
        r.waiting = false;
        if (!r.started) this.emit({ type: "playing", id: r.id });
        r.started = true;
      }
      if (r.buffered === 0) {  // dry while more audio is due
        r.underruns++;
        r.waiting = true;
        this.targetMs = Math.min(this.maxTargetMs, this.targetMs + this.stepMs);
        this.emit({ type: "underrun", id: r.id, underruns: r.underruns });
        break;
      }
      at += this.take(r, out, at);
    }
    out.fill(0, at);
    this.sinceStats += out.length;
    if (this.responses.length > 0 && this.sinceStats >= this.sampleRate / 40) {
      this.sinceStats = 0;
      const r = this.responses[0];
      this.emit({ type: "stats", id: r.id, played: r.played, buffered: r.buffered,
                  underruns: r.underruns, targetMs: this.targetMs });
    }
  }

  /** Copies up to out.length - at of r's samples into out; returns how many. */
  take(r, out, at) {
    let n = 0;
    while (at + n < out.length && r.buffered > 0) {
      const chunk = r.chunks[0];
      const count = Math.min(chunk.length - r.offset, out.length - at - n, r.buffered);
      out.set(chunk.subarray(r.offset, r.offset + count), at + n);
      n += count;
      r.offset += count;
      r.buffered -= count;
      if (r.offset === chunk.length) {
        r.chunks.shift();
        r.offset = 0;
      }
    }
    r.played += n;
    return n;
  }
}

if (typeof AudioWorkletProcessor === "function") {
  class PlaybackProcessor extends AudioWorkletProcessor {
    constructor() {
      super();
      // sampleRate: the AudioWorkletGlobalScope's, the context's rate.
      this.buffer = new JitterBuffer(sampleRate, (m) => this.port.postMessage(m));
      this.port.onmessage = (e) => this.buffer.handle(e.data);
    }

    process(_inputs, outputs) {
      this.buffer.render(outputs[0][0]);
      return true;
    }
  }
  registerProcessor("csm-playback", PlaybackProcessor);
}
