#!/usr/bin/env python3
"""Speak one text over csm-server's WebSocket API (/v1/stream) and save the audio to a file.

The output file's extension picks the format: .ogg / .opus writes Ogg Opus (the server's
packets in Ogg pages, with RFC 7845's pre-skip and end trimming), .wav a WAV of pcm_s16le
frames at --sample-rate. See "Decoding the stream" in proto/PROTOCOL.md. Needs Python 3.8+
and the websockets package (Debian: python3-websockets). Example:
  examples/stream_to_file.py --port 8080 --text "Hello there." --max-audio-ms 2000 out.ogg
"""
import argparse
import asyncio
import json
import struct
import sys
import wave

HEADER = struct.Struct("<BBHII")  # version, codec, opus packets, response_id, frame index
CODEC_OPUS = 1
PACKET_MS = 20  # the Opus packet duration we ask for (output_format.opus_frame_ms)


class ServerError(Exception):
    pass


# --- Ogg Opus (RFC 3533 pages, RFC 7845 headers) -------------------------------------------
def _crc_entry(i):
    c = i << 24
    for _ in range(8):
        c = (c << 1) ^ (0x04C11DB7 if c & 0x80000000 else 0)
    return c & 0xFFFFFFFF


CRC_TABLE = [_crc_entry(i) for i in range(256)]


def ogg_crc(data):  # CRC-32, polynomial 0x04c11db7, no reflection, initial value 0
    crc = 0
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ CRC_TABLE[(crc >> 24) ^ byte]
    return crc


def ogg_page(packets, granule, sequence, flags, serial=0x43534D31):
    lacing = b""
    for p in packets:  # each packet: 255-byte segments, then one shorter (maybe empty) segment
        lacing += b"\xff" * (len(p) // 255) + bytes([len(p) % 255])
    header = struct.pack("<4sBBqIIIB", b"OggS", 0, flags, granule, serial, sequence, 0, len(lacing))
    page = bytearray(header + lacing + b"".join(packets))
    struct.pack_into("<I", page, 22, ogg_crc(page))
    return bytes(page)


def write_ogg_opus(path, messages, pre_skip, audio_ms):
    """messages: the Opus packets of each binary message, in order."""
    head = struct.pack("<8sBBHIhB", b"OpusHead", 1, 1, pre_skip, 24000, 0, 0)
    vendor = b"csm-server stream_to_file.py"
    tags = b"OpusTags" + struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", 0)
    pages = [ogg_page([head], 0, 0, 0x02), ogg_page([tags], 0, 1, 0)]  # 0x02: first page
    # Granule positions count decoded 48 kHz samples, the pre-skip included: playback time is
    # granule - pre_skip, so the response's audio ends at granule pre_skip + audio_ms * 48.
    end = pre_skip + audio_ms * 48
    granule = 0
    messages = [m for m in messages if m]
    for i, packets in enumerate(messages):  # one page per binary message
        granule += len(packets) * PACKET_MS * 48  # every packet is PACKET_MS long, the tail's too
        last = i == len(messages) - 1
        # The last page's granule position trims the padding of the encoder's tail (RFC 7845 4.4).
        pages.append(ogg_page(packets, min(granule, end) if last else granule, i + 2,
                              0x04 if last else 0))  # 0x04: last page
    with open(path, "wb") as f:
        f.write(b"".join(pages))


def write_wav(path, pcm, sample_rate):
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm)


# --- The WebSocket session --------------------------------------------------------------------
def opus_packets(payload):
    packets, at = [], 0
    while at < len(payload):
        (size,) = struct.unpack_from("<H", payload, at)
        packets.append(payload[at + 2:at + 2 + size])
        at += 2 + size
    return packets


async def speak(args, output_format):
    import websockets  # imported here, not at the top, so that --help works without it

    url = f"ws://{args.host}:{args.port}/v1/stream"
    headers = {"Authorization": f"Bearer {args.api_key}"} if args.api_key else {}
    # websockets 14 renamed the handshake headers argument.
    major = int(websockets.__version__.split(".")[0])
    options = {"additional_headers" if major >= 14 else "extra_headers": headers}
    async with websockets.connect(url, max_size=None, **options) as ws:
        await ws.send(json.dumps({"type": "session.update", "event_id": "session",
                                  "session": {"output_format": output_format}}))
        response = {"text": args.text, "max_audio_ms": args.max_audio_ms}
        if args.seed is not None:
            response["seed"] = args.seed
        await ws.send(json.dumps({"type": "response.create", "event_id": "speak",
                                  "response": response}))
        created, frames = None, []
        async for message in ws:
            if isinstance(message, bytes):
                version, codec, _, response_id, index = HEADER.unpack_from(message)
                if (version != 1 or created is None or response_id != created["response_id"]
                        or index != len(frames)):
                    raise ServerError(f"unexpected binary message (version {version}, "
                                      f"response {response_id}, frame {index})")
                payload = message[HEADER.size:]
                frames.append(opus_packets(payload) if codec == CODEC_OPUS else payload)
                continue
            event = json.loads(message)
            if event["type"] == "error":
                e = event["error"]
                raise ServerError(f"server error {e['code']}: {e['message']}"
                                  + (f" (in message '{e['event_id']}')" if "event_id" in e else ""))
            if event["type"] == "response.created":
                created = event
            elif event["type"] == "response.done":
                return created, event, frames
    raise ServerError("the server closed the connection before response.done")


def main():
    parser = argparse.ArgumentParser(
        description="Speak TEXT with csm-server over WebSocket and write OUTPUT "
                    "(.ogg/.opus: Ogg Opus; .wav: pcm_s16le WAV).")
    parser.add_argument("output", help="the file to write: out.ogg, out.opus or out.wav")
    parser.add_argument("--text", default="Hello! This is csm-server speaking.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--api-key", help="sent as 'Authorization: Bearer KEY'")
    parser.add_argument("--max-audio-ms", type=int, default=4000,
                        help="the most audio to generate (default 4000)")
    parser.add_argument("--sample-rate", type=int, default=24000,
                        help="WAV only: 8000, 16000, 24000 (default) or 48000")
    parser.add_argument("--seed", type=int, help="sampling seed: same seed, same audio")
    args = parser.parse_args()

    ogg = args.output.lower().endswith((".ogg", ".opus"))
    if not ogg and not args.output.lower().endswith(".wav"):
        parser.error("the output file must end in .ogg, .opus or .wav")
    output_format = ({"codec": "opus", "opus_frame_ms": PACKET_MS} if ogg else
                     {"codec": "pcm_s16le", "sample_rate": args.sample_rate})
    try:
        import websockets
    except ImportError:
        sys.exit("stream_to_file: needs the websockets package (Debian: python3-websockets)")
    try:
        created, done, frames = asyncio.run(speak(args, output_format))
    except ServerError as e:
        sys.exit(f"stream_to_file: {e}")
    except (OSError, websockets.exceptions.WebSocketException) as e:
        sys.exit(f"stream_to_file: ws://{args.host}:{args.port}/v1/stream: {e}")
    if done["reason"] not in ("end_of_audio", "max_length", "context_full"):
        sys.exit(f"stream_to_file: the response ended with {done['reason']} "
                 f"{done.get('error_code', '')}".rstrip())
    if ogg:
        write_ogg_opus(args.output, frames, created.get("opus_pre_skip", 0), done["audio_ms"])
    else:
        write_wav(args.output, b"".join(frames), args.sample_rate)
    print(f"{args.output}: {done['audio_ms']} ms of audio in {done['frames']} frames "
          f"(+{len(frames) - done['frames']} tail), reason {done['reason']}, "
          f"first audio after {done['ttfa_ms']} ms")


if __name__ == "__main__":
    main()
