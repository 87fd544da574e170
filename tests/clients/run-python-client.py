#!/usr/bin/env python3
"""The Python client library clients/python (csm_client) against a demo csm-server.

Starts the demo server on a free port with an API key and checks, through the library:
  - speak: PCM chunks of 80 ms, frames and audio_ms as response.done says, the audio exactly
    audio_ms long; with Opus (decoded through ctypes) too, at speed 1 and 2;
  - the Opus decoded by the library equals the same seed's PCM closely (lag 0, correlation);
  - cancel mid-response: reason cancelled, no audio after it, and played_ms respected: the next
    turn's prompt (csm_prompt_rows_total, prefilled + reused) holds exactly the frames heard;
  - streamed text: one response, its sentences one engine turn each (csm_turns_total);
  - context: a WAV (espeak-ng's, or one made with the library) and inline PCM, audio_ms right;
  - errors: a bad voice, a missing API key, empty text, streamed text over the limit, a
    second response while one runs: CsmError with the server's code, the session going on;
  - keepalive: a client idle past the server's idle timeout stays connected with keepalive
    pings, and without them gets CsmError timeout;
  - without libopus, Client(codec="opus") fails with a clear OpusError, codec="pcm" works;
  - csm-say (python3 -m csm_client.say) writes a WAV that ffprobe reads with the right
    duration, and fails cleanly on a bad voice; pip can install the package (when pip and
    setuptools are present; skipped otherwise).
Exit 77 (skipped) when python3-websockets or ffprobe is missing.
"""
import argparse
import array
import asyncio
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "support"))
from demo_server import (SKIP, SOURCE, DemoServer, check, finish,  # noqa: E402
                         python_with_websockets)

API_KEY = "client-test-key"
IDLE_TIMEOUT_MS = 3000  # the server's, short: the keepalive test waits past it
TEXT = "The forecast says rain in the morning."
CLIENT_SRC = os.path.join(SOURCE, "clients", "python", "src")


def metrics(port):
    """csm_prompt_rows_total (prefilled + reused) and csm_turns_total (all reasons)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
        text = r.read().decode()

    def total(name):
        return sum(float(v) for v in re.findall(rf"^{name}{{[^}}]*}} (\S+)$", text, re.M))
    return total("csm_prompt_rows_total"), total("csm_turns_total")


async def turns_reach(port, turns, deadline_s=10):
    """Waits until csm_turns_total reaches `turns` (a turn is counted when the engine ends it,
    around response.done); returns the prompt rows then."""
    until = time.monotonic() + deadline_s
    while True:
        rows, ended = metrics(port)
        if ended >= turns or time.monotonic() > until:
            return rows
        await asyncio.sleep(0.05)


def correlation(a, b, lag):
    n = min(len(a), len(b) - lag) if lag >= 0 else min(len(a) + lag, len(b))
    start = max(0, -lag)
    xs = [a[i] for i in range(start, start + n - 1)]
    ys = [b[i + lag] for i in range(start, start + n - 1)]
    energy = math.sqrt(sum(x * x for x in xs) * sum(y * y for y in ys)) or 1.0
    return sum(x * y for x, y in zip(xs, ys)) / energy


class ClientTests:
    def __init__(self, csm, port, work):
        self.csm, self.port, self.work = csm, port, work
        self.url = f"ws://127.0.0.1:{port}"

    def client(self, **options):
        return self.csm.Client(self.url, api_key=API_KEY, **options)

    async def speak(self, text=TEXT, codec="pcm", seed=7, **options):
        """(chunks, summary) of one response in a fresh session."""
        async with self.client(codec=codec, seed=seed) as c:
            r = c.speak(text, **options)
            chunks = [chunk async for chunk in r]
            return chunks, r.summary

    async def test_speak(self):
        chunks, s = await self.speak(max_audio_ms=1200)
        pcm = b"".join(chunks)
        check(s.reason == "max_length" and s.frames == 15 and s.audio_ms == 1200,
              f"speak (pcm): 15 frames, 1200 ms, max_length ({s})")
        check(len(pcm) == s.audio_ms * 48 and {len(c) for c in chunks} == {3840},
              f"speak (pcm): {len(chunks)} chunks of 80 ms, {len(pcm)} bytes = audio_ms at 24 kHz")
        opus_chunks, o = await self.speak(codec="opus", max_audio_ms=1200)
        opus = b"".join(opus_chunks)
        check(o.frames == 15 and len(opus) == o.audio_ms * 48 == len(pcm),
              f"speak (opus): {len(opus) // 2} samples decoded, audio_ms {o.audio_ms}")
        reference, decoded = array.array("h", pcm), array.array("h", opus)
        lags = {lag: correlation(reference, decoded, lag) for lag in range(-24, 25)}
        best = max(lags, key=lags.get)
        check(best == 0 and lags[0] > 0.5, f"Opus decoded through ctypes lines up with the same "
              f"seed's PCM: best lag {best}, correlation {lags[0]:.2f} at lag 0")
        for codec in ("opus", "pcm"):
            chunks, s = await self.speak(codec=codec, max_audio_ms=1200, speed=2.0)
            n = len(b"".join(chunks))
            check(abs(s.audio_ms - 600) <= 10 and n == s.audio_ms * 48,
                  f"speak ({codec}, speed 2): {n // 48} ms of audio, audio_ms {s.audio_ms}")

    async def cancelled_then_next(self, played_ms):
        """Cancels a response after 12 frames with played_ms; the rows of the next turn's
        prompt, and what the cancelled response did."""
        _, turns = metrics(self.port)
        async with self.client(codec="opus", seed=3) as c:
            r = c.speak(TEXT, max_audio_ms=8000)
            summary, after = None, 0
            async for _ in r:
                if summary is not None:
                    after += 1
                elif r.received_ms >= 960:
                    summary = await r.cancel(played_ms=played_ms)
            rows = await turns_reach(self.port, turns + 1)
            await c.speak("And then?", max_audio_ms=80).read()
            return await turns_reach(self.port, turns + 2) - rows, summary, after

    async def test_cancel(self):
        rows_a, a, after = await self.cancelled_then_next(400)
        check(a is not None and a.reason == "cancelled" and 12 <= a.frames < 100 and after == 0,
              f"cancel after 12 frames: reason cancelled, no audio after it ({a}, {after} chunks)")
        rows_b, b, _ = await self.cancelled_then_next(800)
        check(rows_b - rows_a == 5, f"played_ms respected: the next prompt holds 5 frames more "
              f"after played_ms 800 than after 400 ({rows_b} and {rows_a} rows)")
        async with self.client(codec="pcm") as c:
            r = c.speak(TEXT, max_audio_ms=4000)
            await r.start()
            summary = await c.cancel(played_ms=0)  # before any audio was read
            check(summary is not None and summary.reason == "cancelled" and await r.read() == b"",
                  f"Client.cancel before reading: cancelled, nothing to read ({summary})")

    async def test_stream(self):
        pieces = ["Hello there. ", "How are", " you today? ", "I am fine, thanks."]
        _, turns = metrics(self.port)
        async with self.client(codec="opus", seed=5) as c:
            async with c.stream(max_audio_ms=4000) as s:
                async def feed():
                    for piece in pieces:
                        await s.send(piece)
                    await s.done()
                feeder = asyncio.ensure_future(feed())
                pcm = b"".join([chunk async for chunk in s])
                await feeder
        await turns_reach(self.port, turns + 3)
        _, ended = metrics(self.port)
        summary = s.summary
        check(summary is not None and summary.reason == "max_length" and summary.frames == 50
              and len(pcm) == summary.audio_ms * 48,
              f"streamed text: one response of 50 frames, audio exactly audio_ms ({summary})")
        check(ended - turns == 3, f"streamed text: 3 sentences, one engine turn each "
              f"({ended - turns:.0f} turns ended)")

    async def test_context(self):
        wav, expected_ms = self.context_wav()
        tone = array.array("h", (int(8000 * math.sin(i * 0.05)) for i in range(7200)))  # 300 ms
        Turn = self.csm.Turn
        follows = self.csm.client._context_item(Turn(audio=wav))[1] is not None
        check(follows, f"a {len(wav)}-byte WAV goes as the binary message after context.add")
        async with self.client(codec="pcm") as c:
            added = await c.add_context("What's the weather like?", wav, speaker=1)
            check(abs(added["audio_ms"] - expected_ms) <= 5,
                  f"context.add with a WAV: audio_ms {added['audio_ms']}, want {expected_ms}")
            added = await c.add_context(audio=tone, speaker=1)
            check(added["audio_ms"] == 300, f"context.add with inline PCM: audio_ms "
                  f"{added['audio_ms']}, want 300")
            r = c.speak("It will rain.", context=[Turn("Thanks. And tomorrow?", wav)],
                        max_audio_ms=400)
            pcm = await r.read()
            check(r.summary.frames == 5 and len(pcm) == 400 * 48,
                  f"speak with context=[Turn(text, wav)]: {r.summary}")

    def context_wav(self):
        """A spoken WAV from espeak-ng when present, else a tone made with the library."""
        if shutil.which("espeak-ng"):
            path = os.path.join(self.work, "context.wav")
            subprocess.run(["espeak-ng", "-w", path, "What's the weather like today?"],
                           check=True, capture_output=True, timeout=30)
            with open(path, "rb") as f:
                data = f.read()
            rate, size = int.from_bytes(data[24:28], "little"), len(data) - data.index(b"data") - 8
            return data, size // 2 * 1000 // rate
        tone = array.array("h", (int(8000 * math.sin(i * 0.03)) for i in range(36000)))
        return self.csm.wav_bytes(tone, 24000), 1500

    async def error_of(self, coroutine):
        try:
            await coroutine
        except self.csm.CsmError as e:
            return e
        return None

    async def test_keepalive(self):
        async def idle_then_speak(keepalive):
            async with self.client(codec="pcm", keepalive=keepalive) as c:
                await asyncio.sleep(IDLE_TIMEOUT_MS / 1000 + 1)
                return await c.speak("Still there?", max_audio_ms=160).read()
        kept, dropped = await asyncio.gather(self.error_of(idle_then_speak(1.0)),
                                             self.error_of(idle_then_speak(None)))
        check(kept is None, f"keepalive 1 s: the session outlives the server's idle timeout "
              f"({kept!r})")
        check(dropped is not None and dropped.code == "timeout",
              f"no keepalive: CsmError timeout from the server ({dropped!r})")

    async def test_errors(self):
        error_of = self.error_of

        e = await error_of(self.client(voice="no-such-voice").connect())
        check(e is not None and e.code == "unknown_voice" and e.event_id is not None,
              f"a bad voice: CsmError unknown_voice about the session.update ({e!r})")
        e = await error_of(self.csm.Client(self.url).connect())
        check(e is not None and e.code == "unauthorized" and e.status == 401,
              f"no API key: CsmError unauthorized, HTTP 401 ({e!r})")
        async with self.client(codec="pcm") as c:
            e = await error_of(c.speak("   ").read())
            check(e is not None and e.code == "text_empty",
                  f"empty text: CsmError text_empty ({e!r})")
            r = c.speak(TEXT, max_audio_ms=4000)
            await r.start()
            e = await error_of(c.speak("Me too.").read())
            check(e is not None and e.code == "out_of_order",
                  f"a second response while one runs: CsmError out_of_order ({e!r})")
            await r.cancel()
            async with c.stream(max_audio_ms=4000) as s:
                await s.send("Hello. ")
                await s.send("x" * 5000)  # over the server's max_text_bytes (4096)
                e = await error_of(s.read())
            check(e is not None and e.code == "text_too_long" and s.summary is not None
                  and s.summary.reason == "cancelled", f"streamed text over the limit: CsmError "
                  f"text_too_long, the response cancelled ({e!r}, {s.summary})")
            pcm = await c.speak("Still here.", max_audio_ms=160).read()
            check(len(pcm) == 160 * 48, "the session goes on after the errors")
        c = self.client(codec="pcm")
        await c.connect()
        await c.close()
        await c.connect()
        try:
            pcm = await c.speak("Again.", max_audio_ms=160).read()
        finally:
            await c.close()
        check(len(pcm) == 160 * 48, "connect after close: a new session that speaks")

    def test_without_libopus(self):
        """libopus missing (every load fails): a clear OpusError for Opus, PCM still works."""
        audio = self.csm.audio
        saved = audio._libopus, audio.ctypes.CDLL

        def no_library(name, *args, **kwargs):
            raise OSError(f"{name}: cannot open shared object file")
        audio._libopus, audio.ctypes.CDLL = None, no_library
        try:
            try:
                self.csm.Client(self.url, codec="opus")
                error = None
            except self.csm.OpusError as e:
                error = e
            self.csm.Client(self.url, codec="pcm")  # needs no libopus
        finally:
            audio._libopus, audio.ctypes.CDLL = saved
        check(error is not None and "libopus was not found" in str(error)
              and "codec='pcm'" in str(error), f"without libopus: OpusError ({error})")

    def test_cli(self, python):
        path = os.pathsep.join(filter(None, [CLIENT_SRC, os.environ.get("PYTHONPATH")]))
        env = dict(os.environ, PYTHONPATH=path, PYTHONDONTWRITEBYTECODE="1")

        def say(output, *flags):
            cmd = [python, "-m", "csm_client.say", TEXT, "-o", output, "--port", str(self.port),
                   "--api-key", API_KEY, "--max-audio-ms", "1040", *flags]
            r = subprocess.run(cmd, cwd=self.work, env=env, capture_output=True, text=True,
                               timeout=60)
            print(f"     csm-say {' '.join(flags)}: exit {r.returncode}: "
                  f"{(r.stdout + r.stderr).strip()}")
            return r

        r = say("out.wav", "--seed", "9")
        audio_ms = re.search(r": (\d+) ms of audio", r.stdout)
        path = os.path.join(self.work, "out.wav")
        if r.returncode != 0 or not audio_ms or not os.path.exists(path):
            return check(False, "csm-say writes out.wav")
        probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries",
                                "stream=codec_name,sample_rate,channels,duration", "-of", "json",
                                path], capture_output=True, text=True)
        stream = json.loads(probe.stdout or "{}").get("streams", [{}])[0]
        duration_ms = float(stream.get("duration", -1)) * 1000
        check(stream.get("codec_name") == "pcm_s16le" and stream.get("sample_rate") == "24000"
              and stream.get("channels") == 1 and abs(duration_ms - 1040) <= 1
              and int(audio_ms.group(1)) == 1040,
              f"csm-say out.wav: ffprobe reads pcm_s16le 24000 Hz mono of {duration_ms:.1f} ms "
              f"(want 1040) {stream}")
        r = say("bad.wav", "--voice", "no-such-voice")
        check(r.returncode == 1 and "server error unknown_voice" in r.stderr
              and not os.path.exists(os.path.join(self.work, "bad.wav")),
              "csm-say --voice no-such-voice: exit 1, 'server error unknown_voice', no file")

    def test_packaging(self, python):
        """pip installs clients/python (offline: no build isolation, no dependencies)."""
        probe = "import setuptools, pip; assert int(setuptools.__version__.split('.')[0]) >= 61"
        if subprocess.run([python, "-c", probe], capture_output=True).returncode != 0:
            return print("skip pip install: no pip or setuptools >= 61 here")
        package = shutil.copytree(os.path.dirname(CLIENT_SRC), os.path.join(self.work, "pkg"),
                                  ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        target = os.path.join(self.work, "installed")
        r = subprocess.run([python, "-m", "pip", "install", "--no-build-isolation", "--no-deps",
                            "--no-index", "--disable-pip-version-check", "--target", target,
                            package], capture_output=True, text=True, timeout=120)
        script = os.path.join(target, "bin", "csm-say")
        ok = r.returncode == 0 and os.path.exists(script)
        if ok:
            env = dict(os.environ, PYTHONPATH=target)
            help_run = subprocess.run([python, script, "--help"], env=env, capture_output=True,
                                      text=True, timeout=30)
            ok = help_run.returncode == 0 and "usage: csm-say" in help_run.stdout
        check(ok, "pip install clients/python: the package and a working csm-say script"
              + ("" if ok else f":\n{r.stdout[-1500:]}{r.stderr[-1500:]}"))


async def run_async_tests(tests):
    for name in ("test_speak", "test_cancel", "test_stream", "test_context", "test_errors",
                 "test_keepalive"):
        started = time.monotonic()
        try:
            await asyncio.wait_for(getattr(tests, name)(), 90)
        except Exception as e:  # noqa: BLE001 - a test that raises fails, the others still run
            check(False, f"{name} raised {e!r}")
        print(f"     {name}: {time.monotonic() - started:.1f} s", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("build_dir", help="the build folder (bin/csm-server, share/demo)")
    args = parser.parse_args()

    python = python_with_websockets()
    missing = [tool for tool in ("ffprobe",) if not shutil.which(tool)]
    if python is None:
        missing.append("python3-websockets")
    if missing:
        print(f"SKIP: {', '.join(missing)} not installed (scripts/install-deps --with-test-tools)")
        return SKIP
    if python != sys.executable:  # the library runs in this process: use a Python that has it
        os.execv(python, [python, os.path.abspath(__file__), *sys.argv[1:]])
    sys.path.insert(0, CLIENT_SRC)
    import csm_client

    work = tempfile.mkdtemp(prefix="csm-client-")
    server = DemoServer(args.build_dir, work, api_key=API_KEY,
                        settings=[f"limits.idle_timeout_ms={IDLE_TIMEOUT_MS}"])
    try:
        port = server.start()
        if port is None:
            return 1
        tests = ClientTests(csm_client, port, work)
        asyncio.run(run_async_tests(tests))
        tests.test_without_libopus()
        tests.test_cli(python)
        tests.test_packaging(python)
    finally:
        server.stop()
    return finish(work, "csm_client")


if __name__ == "__main__":
    sys.exit(main())
