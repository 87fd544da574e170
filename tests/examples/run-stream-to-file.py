#!/usr/bin/env python3
"""The WebSocket client example examples/stream_to_file.py against a demo csm-server.

Starts the demo server on a free port with an API key, runs the example for an Ogg Opus file,
a 24 kHz and a 16 kHz WAV, and checks the files with independent tools:
  - ffprobe: codec (opus / pcm_s16le), sample rate, 1 channel; the Ogg stream starts at 0;
  - the decoded length (ffmpeg decodes the Ogg file, applying OpusHead's pre-skip and the
    last page's end trim; ffprobe measures the result) and opusinfo's playback length:
    the response's audio_ms within 1 ms, and the WAVs' duration likewise;
  - the decoded Opus lines up with the same seed's 24 kHz WAV at lag 0 (a wrong pre-skip
    shifts it), and opusinfo reads the file without a warning (CRC, granule positions);
  - the example's error message when the server answers with an `error` event, and when
    the API key is missing.
Exit 77 (skipped) when python3-websockets, ffmpeg/ffprobe or opusinfo are missing.
"""
import argparse
import array
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "support"))
from demo_server import (SKIP, SOURCE, DemoServer, check, finish,  # noqa: E402
                         python_with_websockets)

MAX_AUDIO_MS = 2000
API_KEY = "example-test-key"


def ffprobe(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries",
                          "stream=codec_name,sample_rate,channels,start_time,duration",
                          "-of", "json", path], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["streams"][0]


def decoded_s16(path, rate, work):
    """The decoded audio of PATH as mono s16 samples at RATE (ffmpeg), and its ffprobe'd duration."""
    wav = os.path.join(work, os.path.basename(path) + f".decoded{rate}.wav")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", path, "-ac", "1", "-ar", str(rate),
                    "-c:a", "pcm_s16le", wav], capture_output=True, text=True, check=True)
    duration = float(ffprobe(wav)["duration"])
    with open(wav, "rb") as f:
        data = f.read()
    at = data.index(b"data") + 8  # ffmpeg's WAV header may carry a LIST chunk
    samples = array.array("h", data[at:at + (len(data) - at) // 2 * 2])
    return samples, duration


def best_lag(ref, dec, start, n=4800, span=200):
    """The lag (in samples) at which DEC best matches REF over n samples from START, and the
    normalised correlation there."""
    def corr(lag):
        return sum(ref[start + i] * dec[start + i + lag] for i in range(n))
    energy = math.sqrt(sum(ref[start + i] ** 2 for i in range(n)) *
                       sum(dec[start + i] ** 2 for i in range(n))) or 1.0
    lag = max(range(-span, span + 1), key=corr)
    return lag, corr(lag) / energy


def check_ogg(ogg, audio_ms, work):
    s = ffprobe(ogg)
    check(s["codec_name"] == "opus" and s["sample_rate"] == "48000" and s["channels"] == 1,
          f"ffprobe out.ogg: opus, 48000 Hz, 1 channel ({s})")
    check(float(s["start_time"]) == 0, f"ffprobe out.ogg starts at 0 ({s['start_time']} s)")
    # (ffprobe's own duration of an Ogg Opus stream is its last granule position, the pre-skip
    # included: decoding is what drops the pre-skip and applies the end trim.)
    samples, decoded_s = decoded_s16(ogg, 48000, work)
    check(abs(decoded_s * 1000 - audio_ms) <= 1 and abs(len(samples) - audio_ms * 48) <= 48,
          f"out.ogg decodes to {decoded_s * 1000:.3f} ms ({len(samples)} samples at 48 kHz), "
          f"want {audio_ms} ms within 1 ms")
    info = subprocess.run(["opusinfo", ogg], capture_output=True, text=True)
    text = info.stdout + info.stderr
    clean = info.returncode == 0 and "Channels: 1" in text and not re.search("WARNING|ERROR", text)
    check(clean, "opusinfo out.ogg: 1 channel, no warnings" + ("" if clean else f":\n{text}"))
    length = re.search(r"Playback length: (\d+)m:([\d.]+)s", text)
    length_ms = (int(length.group(1)) * 60 + float(length.group(2))) * 1000 if length else -1
    check(abs(length_ms - audio_ms) <= 1,
          f"opusinfo out.ogg: playback length {length_ms:.0f} ms, want {audio_ms} ms within 1 ms")


def check_wav(wav, rate, audio_ms):
    name = os.path.basename(wav)
    s = ffprobe(wav)
    check(s["codec_name"] == "pcm_s16le" and s["sample_rate"] == str(rate) and s["channels"] == 1,
          f"ffprobe {name}: pcm_s16le, {rate} Hz, 1 channel ({s})")
    duration_ms = float(s["duration"]) * 1000
    check(abs(duration_ms - audio_ms) <= 1,
          f"ffprobe {name}: {duration_ms:.3f} ms, want {audio_ms} ms within 1 ms")


def check_alignment(ogg, wav, work):
    reference, _ = decoded_s16(wav, 24000, work)
    decoded, _ = decoded_s16(ogg, 24000, work)
    start = len(reference) // 4  # 4800 samples (200 ms) from a quarter in
    if len(decoded) < start + 4800 + 200 or len(reference) < start + 4800:
        return check(False, f"decoded out.ogg is too short to line up ({len(decoded)} samples)")
    lag, corr = best_lag(reference, decoded, start)
    check(abs(lag) <= 1 and corr > 0.5, f"decoded out.ogg lines up with out.wav (same seed): "
          f"lag {lag} samples at 24 kHz, correlation {corr:.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("build_dir", help="the build folder (bin/csm-server, share/demo)")
    parser.add_argument("--example", help="the client to test (default: examples/stream_to_file.py)")
    args = parser.parse_args()
    example = os.path.abspath(args.example or os.path.join(SOURCE, "examples/stream_to_file.py"))

    python = python_with_websockets()
    missing = [t for t in ("ffprobe", "ffmpeg", "opusinfo") if not shutil.which(t)]
    if python is None:
        missing.append("python3-websockets")
    if missing:
        print(f"SKIP: {', '.join(missing)} not installed (scripts/install-deps --with-test-tools)")
        return SKIP

    work = tempfile.mkdtemp(prefix="csm-example-")
    server = DemoServer(args.build_dir, work, api_key=API_KEY)
    try:
        port = server.start()
        if port is None:
            return 1
        port = str(port)

        def run(output, *flags, key=API_KEY):
            cmd = [python, example, "--port", port, "--max-audio-ms", str(MAX_AUDIO_MS),
                   "--seed", "7", "--text", "The forecast says rain.", *flags, output]
            if key:
                cmd[2:2] = ["--api-key", key]
            started = time.monotonic()
            r = subprocess.run(cmd, cwd=work, capture_output=True, text=True, timeout=60)
            print(f"     {' '.join(cmd[2:])}: exit {r.returncode} in "
                  f"{time.monotonic() - started:.1f} s: {(r.stdout + r.stderr).strip()}")
            return r

        def audio_ms_of(r):
            m = re.search(r": (\d+) ms of audio", r.stdout)
            return int(m.group(1)) if m else None

        def checked_by_tools(what, checks, *args):
            try:
                return checks(*args)
            except subprocess.CalledProcessError as e:
                check(False, f"{what}: {' '.join(e.cmd)} failed: {e.stderr or ''}".rstrip())

        # The Ogg Opus file.
        ogg = os.path.join(work, "out.ogg")
        r = run("out.ogg")
        audio_ms = audio_ms_of(r)
        check(r.returncode == 0 and audio_ms == MAX_AUDIO_MS,
              f"out.ogg written with the response's audio_ms ({audio_ms} ms, want {MAX_AUDIO_MS})")
        if r.returncode == 0:
            checked_by_tools("out.ogg", check_ogg, ogg, audio_ms, work)

        # The WAVs: 24 kHz (no resampler: no tail) and 16 kHz (resampled: sizes vary, a tail).
        for rate, name in ((24000, "out.wav"), (16000, "out16k.wav")):
            r = run(name, "--sample-rate", str(rate))
            audio_ms = audio_ms_of(r)
            check(r.returncode == 0 and audio_ms == MAX_AUDIO_MS,
                  f"{name} written with the response's audio_ms ({audio_ms} ms)")
            if r.returncode == 0:
                checked_by_tools(name, check_wav, os.path.join(work, name), rate, audio_ms)

        # The same seed's Opus and PCM are the same audio: the decoded Opus must line up with
        # the WAV at lag 0 (a pre-skip written wrong shifts it by the difference).
        wav = os.path.join(work, "out.wav")
        if os.path.exists(ogg) and os.path.exists(wav):
            checked_by_tools("out.ogg against out.wav", check_alignment, ogg, wav, work)

        # Errors come out as clear messages and a failing exit.
        r = run("bad.wav", "--sample-rate", "11025")
        check(r.returncode == 1 and "server error unsupported_format" in r.stderr
              and not os.path.exists(os.path.join(work, "bad.wav")),
              "an error event: exit 1, 'server error unsupported_format ...', no file")
        r = run("nokey.ogg", key=None)
        check(r.returncode == 1 and "401" in r.stderr, "no API key: exit 1 with HTTP 401")
    finally:
        server.stop()
    return finish(work, "stream_to_file.py")


if __name__ == "__main__":
    sys.exit(main())
