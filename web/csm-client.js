/**
 * csm-client.js: a browser client of csm-server's WebSocket API (`/v1/stream`, see
 * proto/PROTOCOL.md). A plain ES module, no build step; csm-server serves it at
 * `/web/csm-client.js` together with the modules it loads from next to itself: csm-audio.js
 * (decoding, playback) and the AudioWorklet module playback-worklet.js (the jitter buffer).
 *
 * It speaks the protocol (session.update, response.create, text.delta / text.done,
 * context.add, response.cancel), decodes the Opus frames with WebCodecs' AudioDecoder (where
 * WebCodecs is missing it asks the server for pcm_s16le instead), plays them through an
 * AudioWorklet with a jitter buffer, and measures what the listener gets: time to first audio,
 * underruns, buffered and played milliseconds. Acks need nothing: the server counts a frame
 * acknowledged once its socket write completes.
 *
 *   import { CsmClient } from "/web/csm-client.js";
 *   const client = new CsmClient({ apiKey: "sk-...", voice: "alloy" });
 *   await client.connect();         // best from a click: browsers start audio after a gesture
 *   const turn = client.speak("Hello there!", { maxAudioMs: 4000 });
 *   const summary = await turn.done;  // {reason: "end_of_audio", ttfa_ms: 182, underruns: 0, ...}
 *
 *   const live = client.stream({ maxAudioMs: 8000 });  // text as it comes (an LLM's tokens)
 *   live.append("Sure. Let me");
 *   live.append(" check that for you.");
 *   live.end();
 *   await client.stop();            // barge-in: response.cancel with the played_ms really heard
 *
 * new CsmClient(options), every option optional:
 *   url         WebSocket URL; default: /v1/stream of the server this module came from
 *   apiKey      sent as ?api_key= (browsers cannot set headers on a WebSocket) and as a Bearer
 *               header on the REST call of voices()
 *   voice       a name of GET /v1/voices (session.voice); session: more session.update
 *               settings ({temperature, top_k, seed, speed, max_audio_ms, speaker})
 *   codec       "auto" (default: Opus where AudioDecoder can decode it, else PCM), "opus", "pcm"
 *   jitterMs    audio buffered before a response starts playing (default 120); each underrun
 *               adds 40 ms, up to maxJitterMs (default 400)
 *   keepAudio   keep the decoded samples of the turn playing and the last finished one, for
 *               turn.audio() (default true)
 *   pingMs      a ping this often keeps an idle connection open (default 30000)
 *
 * Methods:
 *   connect() -> Promise<session>   opens the socket, sends session.update, starts the audio
 *   voices() -> Promise<string[]>   the voice names of GET /v1/voices
 *   update(session) -> Promise<session>   session.update (voice, speed, ...)
 *   speak(text, options?) -> Turn   one response; options: maxAudioMs, voice, speaker, seed,
 *                                   temperature, topK, speed (this response only)
 *   stream(options?) -> Turn        a response whose text follows: turn.append(text),
 *                                   turn.end(); sentences start speaking as they complete
 *   stop() -> Promise<number|null>  barge-in: stops playback at once and, while the server
 *                                   still generates, sends response.cancel with played_ms;
 *                                   the played ms (null when nothing was playing). Once
 *                                   response.done has come, the protocol has no message for
 *                                   what was heard: the context keeps the whole response.
 *   addContext({speaker, text, audio}) -> Promise<{item_id, audio_ms}>   a past turn of the
 *                                   conversation (speaker 1: the user); audio: an AudioBuffer
 *                                   (e.g. from decodeAudioData of a recording) or
 *                                   {samples: Float32Array, sampleRate}, sent as pcm_s16le
 *   resumeAudio() -> Promise<bool>  starts the audio (call from a click) where the browser held
 *                                   it back; audioState: the AudioContext's state
 *   close()
 * session: the effective settings (session.created / session.updated).
 * A new speak() or stream() while a turn is in progress interrupts it (as stop()) unless
 * options.queue is true; the server runs one response at a time, so queued turns start when the
 * previous one's response.done has arrived.
 *
 * Turn: id (response_id once created), text, done (a Promise of its summary, below; it
 * resolves, never rejects, also for errors), summary (the same, live), audio() ->
 * {sampleRate, samples} (the decoded audio, end-trimmed to audio_ms). The summary:
 *   reason          response.done's: end_of_audio, max_length, context_full, cancelled, error
 *   error           {code, message} when reason is "error"
 *   frames          80 ms frames the server sent (response.done's frames)
 *   frames_received, frames_decoded   binary frames that arrived / were decoded (tail excluded)
 *   audio_ms        the audio the server delivered; played_ms: what was played of it
 *   ttfa_ms         response.create sent -> first audio frame received (this page's clock)
 *   server_ttfa_ms  response.done's ttfa_ms (the server's clock)
 *   first_sound_ms  response.create sent -> playback started (ttfa_ms + the jitter buffer)
 *   underruns       times playback ran dry while more audio was due
 *   interrupted     true when stop() cut the playback short
 *
 * Events (addEventListener; CustomEvent, the object in `detail`): "session" (the session
 * settings), "turn" (a Turn changed state: created, playing), "done" (the Turn, once it has
 * finished: its response is done and its audio played or stopped), "stats" (about every 25 ms
 * while audio plays: the `stats` getter's object), "error" ({code, message}, a server error
 * not tied to a turn), "close" ({code, reason}).
 *
 * stats: {responses, frames, underruns, ttfa_ms, last_done_reason, played_ms, buffered_ms,
 * codec}: responses completed, frames decoded and underruns counted since connect(); the last
 * turn's ttfa_ms, reason and played_ms (live while it plays); buffered_ms now.
 */

import { OPUS_PACKET_MS, OUTPUT_RATE, Player, Resampler, ResponseDecoder } from "./csm-audio.js";

const HEADER_BYTES = 12;
const CODEC_OPUS = 1;
const CODEC_PCM_S16LE = 2;

/** /v1/stream of the server this module was loaded from (it serves it at /web/). */
function defaultUrl() {
  return new URL("../v1/stream", import.meta.url).href.replace(/^http/, "ws");
}

/** A Promise with its resolve function outside. */
function deferred() {
  let resolve;
  const promise = new Promise((r) => (resolve = r));
  return { promise, resolve };
}

/** One response: its text, the requests sent for it and what came back. */
class Turn {
  constructor(client, text, options) {
    this.client = client;
    this.text = text ?? "";
    this.options = options;
    this.id = null; // response_id, from response.created
    this.eventId = `turn-${++client.turnCount}`;
    // queued -> sent (response.create) -> created (response.created) -> finished (once both
    // serverDone, response.done, and playbackDone, the end of its playback)
    this.state = "queued";
    this.streaming = text === undefined;
    this.textEnded = !this.streaming;
    this.pendingText = []; // streamed text waiting for response.create to be sent
    this.summary = { reason: null, frames: 0, frames_received: 0, frames_decoded: 0,
                     audio_ms: 0, played_ms: 0, ttfa_ms: null, server_ttfa_ms: null,
                     first_sound_ms: null, underruns: 0, interrupted: false };
    this.chunks = [];
    this.serverDone = false;
    this.playbackDone = false;
    this.finished = deferred();
    this.done = this.finished.promise;
  }

  /** More text of a streamed turn (stream()). */
  append(text) {
    if (!this.streaming || this.textEnded || !text) return;
    this.text += text;
    if (this.state === "queued") this.pendingText.push(text);
    else if (!this.serverDone) this.client.send({ type: "text.delta", delta: text });
  }

  /** The streamed text is complete. */
  end() {
    if (!this.streaming || this.textEnded) return;
    this.textEnded = true;
    if (this.state !== "queued" && !this.serverDone) this.client.send({ type: "text.done" });
  }

  /** {sampleRate, samples}: the decoded audio so far (all of it once done has resolved). */
  audio() {
    const length = this.chunks.reduce((n, c) => n + c.length, 0);
    const samples = new Float32Array(length);
    let at = 0;
    for (const c of this.chunks) {
      samples.set(c, at);
      at += c.length;
    }
    const total = Math.round((this.summary.audio_ms * this.sampleRate) / 1000);
    const trimmed = this.serverDone && total < length ? samples.subarray(0, total) : samples;
    return { sampleRate: this.sampleRate, samples: trimmed };
  }

  msSince(start) {
    return Math.round((performance.now() - start) * 10) / 10;
  }
}

export class CsmClient extends EventTarget {
  constructor(options = {}) {
    super();
    this.options = { url: defaultUrl(), apiKey: "", codec: "auto", jitterMs: 120,
                     maxJitterMs: 400, keepAudio: true, pingMs: 30000, session: {}, ...options };
    this.turnCount = 0;
    this.turns = []; // turns not yet finished, in order
    this.waiting = []; // {answer, eventId, resolve, reject} of session.update and context.add
    this.totals = { responses: 0, frames: 0, underruns: 0, ttfa_ms: null,
                    last_done_reason: null, played_ms: 0, buffered_ms: 0 };
    this.codec = null;
    this.ws = null;
    this.player = null;
  }

  get stats() {
    return { ...this.totals, codec: this.codec };
  }

  /** The AudioContext's state: "running", or "suspended" until resumeAudio() from a click. */
  get audioState() {
    return this.player ? this.player.context.state : "closed";
  }

  resumeAudio() {
    return this.player ? this.player.resume() : Promise.resolve(false);
  }

  /** Connects once; while connected (or connecting) it returns the same Promise. */
  connect() {
    this.connecting ??= this.open().catch((e) => {
      this.connecting = null;
      throw e;
    });
    return this.connecting;
  }

  async open() {
    if (!this.player) this.player = await Player.create((m) => this.onPlayer(m));
    await this.player.resume();
    this.codec = await this.pickCodec();
    const url = new URL(this.options.url, location.href);
    if (this.options.apiKey) url.searchParams.set("api_key", this.options.apiKey);
    const ws = new WebSocket(url);
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    const opened = new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => reject(new Error(`cannot connect to ${this.options.url}`));
    });
    ws.onmessage = (e) => (typeof e.data === "string" ? this.onEvent(JSON.parse(e.data))
                                                       : this.onFrame(new Uint8Array(e.data)));
    ws.onclose = (e) => this.onClose(e);
    await opened;
    this.pinger = setInterval(() => this.send({ type: "ping" }), this.options.pingMs);
    const format = this.codec === "opus"
      ? { codec: "opus", opus_frame_ms: OPUS_PACKET_MS }
      : { codec: "pcm_s16le", sample_rate: this.pcmRate() };
    const voice = this.options.voice ? { voice: this.options.voice } : {};
    return this.update({ ...this.options.session, ...voice, output_format: format });
  }

  async pickCodec() {
    if (this.options.codec === "pcm") return "pcm";
    const config = { codec: "opus", sampleRate: OUTPUT_RATE, numberOfChannels: 1 };
    const ok = typeof AudioDecoder === "function" &&
      (await AudioDecoder.isConfigSupported(config).catch(() => ({}))).supported;
    if (!ok && this.options.codec === "opus") {
      throw new Error("this browser cannot decode Opus (WebCodecs)");
    }
    return ok ? "opus" : "pcm";
  }

  /** The PCM rate to ask for: the context's when the server makes it, else 48000. */
  pcmRate() {
    const rate = this.player.sampleRate;
    return [8000, 16000, 24000, 48000].includes(rate) ? rate : 48000;
  }

  async voices() {
    const stream = new URL(this.options.url, location.href).href.replace(/^ws/, "http");
    const url = new URL("voices", stream);  // .../v1/stream -> .../v1/voices
    const headers = this.options.apiKey ? { Authorization: `Bearer ${this.options.apiKey}` } : {};
    const res = await fetch(url, { headers });
    if (!res.ok) throw new Error(`GET /v1/voices: HTTP ${res.status}`);
    return (await res.json()).data.map((v) => v.id);
  }

  update(session) {
    return this.request("session.updated", { type: "session.update", session });
  }

  speak(text, options = {}) {
    return this.enqueue(new Turn(this, text, options));
  }

  stream(options = {}) {
    return this.enqueue(new Turn(this, undefined, options));
  }

  async stop() {
    const turn = this.turns.find((t) => !t.playbackDone);
    if (!turn) return null;
    for (const queued of this.turns.filter((t) => t.state === "queued")) {
      this.finishTurn(queued, { reason: "cancelled" });
    }
    turn.summary.interrupted = true;
    if (turn.id === null) {  // not created yet: cancel as soon as it is
      turn.cancelOnCreate = true;
      await turn.done;
      return 0;
    }
    const played = await this.cancelPlayback(turn);
    if (!turn.serverDone) this.sendCancel(turn, played);
    await turn.done;
    return played;
  }

  addContext({ speaker = 1, text = "", audio = null }) {
    const item = { speaker, text };
    let pcm = null;
    if (audio) {
      const samples = audio.getChannelData ? audio.getChannelData(0) : audio.samples;
      pcm = Int16Array.from(samples, (s) => Math.round(Math.max(-1, Math.min(1, s)) * 32767));
      Object.assign(item, { audio_follows: true, audio_format: "pcm_s16le",
                            sample_rate: audio.sampleRate });
    }
    const added = this.request("context.added", { type: "context.add", item });
    if (pcm && this.ws) this.ws.send(pcm.buffer);
    return added;
  }

  close() {
    clearInterval(this.pinger);
    this.connecting = null;
    if (this.ws) this.ws.close(1000);
    if (this.player) this.player.close();
    this.player = null;
  }

  // --- internals ------------------------------------------------------------------------------

  send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  /** Sends a message and resolves with the event of type `answer` (rejects on its error). */
  request(answer, message) {
    const eventId = `${message.type}-${++this.turnCount}`;
    return new Promise((resolve, reject) => {
      if (this.ws?.readyState !== WebSocket.OPEN) throw new Error("not connected: call connect()");
      this.waiting.push({ answer, eventId, resolve, reject });
      this.send({ ...message, event_id: eventId });
    });
  }

  enqueue(turn) {
    if (!turn.options.queue) {
      const current = this.turns.find((t) => !t.playbackDone);
      if (current) this.stop();
    }
    this.turns.push(turn);
    this.sendNext();
    this.dispatchEvent(new CustomEvent("turn", { detail: turn }));
    return turn;
  }

  /**
   * Sends the first queued turn's response.create once the server runs no other response (it
   * may still be playing here: the player plays responses one after the other).
   */
  sendNext() {
    const running = (t) => (t.state === "sent" || t.state === "created") && !t.serverDone;
    if (this.turns.some(running)) return;
    const turn = this.turns.find((t) => t.state === "queued");
    if (!turn) return;
    if (this.ws?.readyState !== WebSocket.OPEN) {
      this.finishTurn(turn, { reason: "error",
                              error: { code: "not_connected", message: "call connect() first" } });
      return this.sendNext();
    }
    const o = turn.options;
    const response = {};
    if (!turn.streaming) response.text = turn.text;
    const fields = { maxAudioMs: "max_audio_ms", voice: "voice", speaker: "speaker", seed: "seed",
                     temperature: "temperature", topK: "top_k", speed: "speed" };
    for (const [option, field] of Object.entries(fields)) {
      if (o[option] !== undefined) response[field] = o[option];
    }
    this.send({ type: "response.create", event_id: turn.eventId, response });
    turn.state = "sent";
    turn.sentAt = performance.now();
    for (const delta of turn.pendingText) this.send({ type: "text.delta", delta });
    turn.pendingText = [];
    if (turn.streaming && turn.textEnded) this.send({ type: "text.done" });
  }

  turnById(id) {
    return this.turns.find((t) => t.id === id);
  }

  onEvent(event) {
    switch (event.type) {
      case "session.created":
        this.session = event.session;
        break;
      case "session.updated":
      case "context.added":
        this.answer(event.type, event);
        if (event.type === "session.updated") {
          this.session = event.session;
          this.dispatchEvent(new CustomEvent("session", { detail: event.session }));
        }
        break;
      case "response.created":
        this.onCreated(event);
        break;
      case "response.done":
        this.onDone(event);
        break;
      case "error":
        this.onError(event.error);
        break;
    }
  }

  answer(type, event) {
    const i = this.waiting.findIndex((w) => w.answer === type);
    if (i < 0) return;
    this.waiting.splice(i, 1)[0].resolve(type === "session.updated" ? event.session : event);
  }

  onCreated(event) {
    const turn = this.turns.find((t) => t.state === "sent");
    if (!turn) return;
    turn.id = event.response_id;
    turn.state = "created";
    turn.sampleRate = this.player.sampleRate;
    this.player.post({ type: "config", targetMs: this.options.jitterMs,
                       maxTargetMs: this.options.maxJitterMs });
    this.player.post({ type: "start", id: turn.id });
    turn.decoder = new ResponseDecoder({
      codec: this.codec, preSkip: event.opus_pre_skip ?? 0, pcmRate: this.pcmRate(),
      onSamples: (samples, rate) => this.onSamples(turn, samples, rate),
      // Counted as frames until response.done tells which message was the tail.
      onMessage: () => { turn.summary.frames_decoded++; this.totals.frames++; },
      onError: (message) => { turn.summary.error = { code: "decode_error", message }; },
    });
    this.dispatchEvent(new CustomEvent("turn", { detail: turn }));
    if (turn.cancelOnCreate) {
      this.cancelPlayback(turn);
      this.sendCancel(turn, 0);
    }
  }

  sendCancel(turn, playedMs) {
    // The response may end before this arrives: the server's out_of_order answer is ignored.
    this.send({ type: "response.cancel", event_id: `cancel-${turn.id}`, response_id: turn.id,
                played_ms: playedMs });
  }

  onFrame(bytes) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.byteLength < HEADER_BYTES || bytes[0] !== 1) return;
    const codec = bytes[1];
    const turn = this.turnById(view.getUint32(4, true));
    if (!turn || turn.serverDone || turn.cancelling || turn.playbackDone) return;
    if (codec !== (this.codec === "opus" ? CODEC_OPUS : CODEC_PCM_S16LE)) return;
    if (turn.summary.ttfa_ms === null) {
      turn.summary.ttfa_ms = turn.msSince(turn.sentAt);
      this.totals.ttfa_ms = turn.summary.ttfa_ms;
    }
    turn.summary.frames_received++;
    turn.decoder.decode(bytes.subarray(HEADER_BYTES));
  }

  onSamples(turn, samples, rate) {
    if (turn.playbackDone || turn.cancelling) return;
    if (rate !== this.player.sampleRate) {
      turn.resampler ??= new Resampler(rate, this.player.sampleRate);
      samples = turn.resampler.process(samples);
    }
    if (this.options.keepAudio) turn.chunks.push(samples.slice());
    this.player.push(turn.id, samples.slice());
  }

  async onDone(event) {
    const turn = this.turnById(event.response_id);
    if (!turn) return;
    turn.serverDone = true;
    Object.assign(turn.summary, { reason: event.reason, frames: event.frames,
                                  audio_ms: event.audio_ms,
                                  server_ttfa_ms: event.ttfa_ms ?? null });
    if (event.error_code) turn.summary.error = { ...turn.summary.error, code: event.error_code };
    // The tail, the encoder's last packets after the last frame, was counted as a frame.
    const tail = Math.max(0, turn.summary.frames_received - event.frames);
    turn.summary.frames_received -= tail;
    await turn.decoder.flush().catch(() => {});
    const decodedTail = Math.min(tail, turn.summary.frames_decoded);
    turn.summary.frames_decoded -= decodedTail;
    this.totals.frames -= decodedTail;
    turn.decoder.close();
    const total = Math.round((event.audio_ms * this.player.sampleRate) / 1000);
    this.player.post({ type: "end", id: turn.id, totalSamples: total });
    this.maybeFinish(turn);
    this.sendNext();
  }

  onError(error) {
    if (error.event_id?.startsWith("cancel-")) return;
    const turn = this.turns.find((t) => (error.event_id && t.eventId === error.event_id) ||
                                       (error.response_id && t.id === error.response_id));
    const waiting = this.waiting.findIndex((w) => error.event_id && w.eventId === error.event_id);
    if (waiting >= 0) {
      this.waiting.splice(waiting, 1)[0].reject(Object.assign(new Error(error.message), error));
    } else if (turn && turn.state === "sent") {
      // response.create refused: no response.created, no response.done follows.
      turn.state = "created";
      turn.serverDone = true;
      this.finishTurn(turn, { reason: "error", error });
      this.sendNext();
    } else if (turn) {
      turn.summary.error = error; // its response.done follows, reason "error"
    } else {
      this.dispatchEvent(new CustomEvent("error", { detail: error }));
    }
  }

  onClose(event) {
    clearInterval(this.pinger);
    this.connecting = null;
    for (const turn of [...this.turns]) {
      turn.serverDone = true;
      if (turn.id !== null) this.cancelPlayback(turn);
      const error = { code: "closed", message: `connection closed (${event.code})` };
      this.finishTurn(turn, { reason: turn.summary.reason ?? "error", error });
    }
    for (const w of this.waiting.splice(0)) w.reject(new Error("connection closed"));
    this.ws = null;
    const detail = { code: event.code, reason: event.reason };
    this.dispatchEvent(new CustomEvent("close", { detail }));
  }

  onPlayer(message) {
    const turn = this.turnById(message.id);
    const rate = this.player ? this.player.sampleRate : OUTPUT_RATE;
    const ms = (samples) => Math.round((samples * 1000) / rate);
    switch (message.type) {
      case "stats":
        this.totals.buffered_ms = ms(message.buffered);
        this.totals.played_ms = ms(message.played);
        if (turn) turn.summary.played_ms = ms(message.played);
        this.dispatchEvent(new CustomEvent("stats", { detail: this.stats }));
        break;
      case "playing":
        if (!turn) break;
        turn.summary.first_sound_ms = turn.msSince(turn.sentAt);
        turn.playing = true;
        this.dispatchEvent(new CustomEvent("turn", { detail: turn }));
        break;
      case "underrun":
        this.totals.underruns++;
        if (turn) turn.summary.underruns = message.underruns;
        break;
      case "finished":
      case "cancelled":
        if (!turn || turn.playbackDone) break;
        turn.summary.played_ms = ms(message.played);
        this.totals.played_ms = turn.summary.played_ms;
        this.totals.buffered_ms = 0;
        turn.playbackDone = true;
        turn.resolveCancel?.(turn.summary.played_ms);
        this.maybeFinish(turn);
        break;
    }
  }

  /** Stops the turn's playback now; resolves with its played ms. */
  cancelPlayback(turn) {
    if (turn.playbackDone) return Promise.resolve(turn.summary.played_ms);
    turn.cancelling ??= new Promise((resolve) => {
      turn.resolveCancel = resolve;
      this.player.post({ type: "cancel", id: turn.id });
    });
    return turn.cancelling;
  }

  maybeFinish(turn) {
    if (turn.serverDone && turn.playbackDone) this.finishTurn(turn, {});
  }

  finishTurn(turn, fields) {
    if (turn.state === "finished") return;
    const created = turn.id !== null;
    turn.state = "finished";
    turn.playbackDone = true;
    Object.assign(turn.summary, fields);
    this.turns.splice(this.turns.indexOf(turn), 1);
    if (created) {
      this.totals.responses++;
      this.totals.last_done_reason = turn.summary.reason;
      if (this.lastFinished) this.lastFinished.chunks = [];  // keepAudio: the last one only
      this.lastFinished = turn;
    }
    turn.decoder?.close();
    turn.finished.resolve(turn.summary);
    this.dispatchEvent(new CustomEvent("done", { detail: turn }));
  }
}
