"""csm-say: speak a text with csm-server and write a WAV file.

    csm-say "Hello there." -o hello.wav --port 8080 --max-audio-ms 4000
    python3 -m csm_client.say "Hello there." -o hello.wav"""
import argparse
import asyncio
import os
import sys

from .audio import write_wav
from .client import Client
from .errors import CsmError, OpusError


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="csm-say", description="Speak TEXT with csm-server (WebSocket /v1/stream) and write "
        "the audio to a mono 16-bit WAV file.")
    parser.add_argument("text", help="what to say ('-': read it from stdin)")
    parser.add_argument("-o", "--output", required=True, help="the WAV file to write")
    parser.add_argument("--url",
                        help="the server's WebSocket URL (default ws://HOST:PORT/v1/stream)")
    parser.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="default 8080")
    parser.add_argument("--api-key", default=os.environ.get("CSM_API_KEY"),
                        help="sent as 'Authorization: Bearer KEY' (default: $CSM_API_KEY)")
    parser.add_argument("--voice", help="a configured voice or OpenAI voice name (GET /v1/voices)")
    parser.add_argument("--speaker", type=int, help="the CSM speaker id")
    parser.add_argument("--max-audio-ms", type=int,
                        help="the most audio to make (the demo model never ends by itself)")
    parser.add_argument("--speed", type=float, help="playback speed 0.25-4.0, pitch kept")
    parser.add_argument("--seed", type=int, help="sampling seed: same seed, same audio")
    parser.add_argument("--codec", choices=("opus", "pcm"), default="opus",
                        help="what the server sends: opus (decoded here with libopus, the "
                        "default) or pcm")
    parser.add_argument("--sample-rate", type=int, default=24000, help="of the WAV (default 24000)")
    return parser.parse_args(argv)


async def say(args, text):
    url = args.url or f"ws://{args.host}:{args.port}/v1/stream"
    async with Client(url, api_key=args.api_key, voice=args.voice, speaker=args.speaker,
                      codec=args.codec, sample_rate=args.sample_rate, seed=args.seed) as client:
        response = client.speak(text, max_audio_ms=args.max_audio_ms, speed=args.speed)
        return await response.read(), response.summary


def main(argv=None) -> int:
    args = parse_args(argv)
    text = sys.stdin.read() if args.text == "-" else args.text
    try:
        pcm, summary = asyncio.run(say(args, text))
    except CsmError as e:
        print(f"csm-say: server error {e.code}: {e.message}", file=sys.stderr)
        return 1
    except (OpusError, ImportError, ValueError) as e:
        print(f"csm-say: {e}", file=sys.stderr)
        return 1
    write_wav(args.output, pcm, args.sample_rate)
    print(f"{args.output}: {summary.audio_ms} ms of audio in {summary.frames} frames, reason "
          f"{summary.reason}, first audio after {summary.ttfa_ms} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
