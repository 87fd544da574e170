"""The audio side of /v1/stream: binary frame headers, Opus decoding through libopus (ctypes),
one response's frames turned into PCM of exactly its `audio_ms`, and WAV files.

PCM here is always mono signed 16-bit little-endian samples (`bytes`)."""
from __future__ import annotations

import array
import ctypes
import ctypes.util
import io
import struct
import sys
import wave
from typing import List, NamedTuple, Optional, Union

from .errors import OpusError

# version u8, codec u8, Opus packets u16, response_id u32, frame index u32 (little-endian)
HEADER = struct.Struct("<BBHII")
CODEC_OPUS = 1
CODEC_PCM_S16LE = 2
OPUS_RATES = (8000, 12000, 16000, 24000, 48000)  # the rates libopus decodes to


class Frame(NamedTuple):
    """One binary message of the server: the header's fields and the payload."""
    codec: int
    response_id: int
    index: int
    payload: bytes


def parse_frame(message: bytes) -> Frame:
    if len(message) < HEADER.size or message[0] != 1:
        raise ValueError(f"not a version 1 audio frame ({len(message)} bytes)")
    _, codec, _, response_id, index = HEADER.unpack_from(message)
    return Frame(codec, response_id, index, bytes(message[HEADER.size:]))


def opus_packets(payload: bytes) -> List[bytes]:
    """The packets of an Opus payload: each a u16 byte length, then the packet."""
    packets, at = [], 0
    while at < len(payload):
        if at + 2 > len(payload):
            raise ValueError("truncated Opus packet length")
        (size,) = struct.unpack_from("<H", payload, at)
        if at + 2 + size > len(payload):
            raise ValueError("truncated Opus packet")
        packets.append(payload[at + 2:at + 2 + size])
        at += 2 + size
    return packets


# --- libopus ----------------------------------------------------------------------------------
_libopus = None


def load_libopus():
    """libopus as a ctypes library, loaded once; OpusError when it is not installed."""
    global _libopus
    if _libopus is not None:
        return _libopus
    names = [ctypes.util.find_library("opus"), "libopus.so.0", "libopus.0.dylib", "opus.dll"]
    for name in filter(None, names):
        try:
            lib = ctypes.CDLL(name)
            break
        except OSError:
            continue
    else:
        raise OpusError("libopus was not found (Debian/Ubuntu: apt install libopus0; macOS: "
                        "brew install opus); or use Client(codec='pcm'), which needs no decoder")
    lib.opus_decoder_create.restype = ctypes.c_void_p
    lib.opus_decoder_create.argtypes = [ctypes.c_int32, ctypes.c_int, ctypes.POINTER(ctypes.c_int)]
    lib.opus_decode.restype = ctypes.c_int
    lib.opus_decode.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int32,
                                ctypes.POINTER(ctypes.c_int16), ctypes.c_int, ctypes.c_int]
    lib.opus_decoder_destroy.restype = None
    lib.opus_decoder_destroy.argtypes = [ctypes.c_void_p]
    lib.opus_strerror.restype = ctypes.c_char_p
    lib.opus_strerror.argtypes = [ctypes.c_int]
    _libopus = lib
    return lib


class OpusDecoder:
    """A mono libopus decoder at `sample_rate` (8000, 12000, 16000, 24000 or 48000 Hz)."""

    def __init__(self, sample_rate: int = 24000):
        if sample_rate not in OPUS_RATES:
            raise ValueError(f"Opus decodes at {OPUS_RATES} Hz, not {sample_rate}")
        self._state = None
        self._lib = load_libopus()
        error = ctypes.c_int(0)
        self._state = self._lib.opus_decoder_create(sample_rate, 1, ctypes.byref(error))
        if error.value != 0 or not self._state:
            raise OpusError(f"opus_decoder_create: {self._lib.opus_strerror(error.value).decode()}")
        self._max_samples = sample_rate * 120 // 1000  # the longest Opus packet: 120 ms
        self._pcm = (ctypes.c_int16 * self._max_samples)()

    def decode(self, packet: bytes) -> bytes:
        """One packet -> its PCM (s16le)."""
        n = self._lib.opus_decode(self._state, packet, len(packet), self._pcm, self._max_samples, 0)
        if n < 0:
            raise OpusError(f"opus_decode: {self._lib.opus_strerror(n).decode()}")
        pcm = ctypes.string_at(self._pcm, n * 2)
        if sys.byteorder == "big":  # libopus writes native-endian samples
            samples = array.array("h", pcm)
            samples.byteswap()
            pcm = samples.tobytes()
        return pcm

    def close(self) -> None:
        if self._state:
            self._lib.opus_decoder_destroy(self._state)
            self._state = None

    def __del__(self):
        self.close()


class ResponseAudio:
    """One response's payloads -> PCM chunks at `sample_rate` that add up to exactly the
    response's `audio_ms` (proto/PROTOCOL.md, "Decoding the stream").

    PCM payloads pass through. Opus packets are decoded with one decoder for the response,
    the first `pre_skip_48k` samples (at 48 kHz) dropped, and the last packet of each message
    held back until the next message or the end: the encoder's tail pads its last packet with
    silence, which `finish(audio_ms)` cuts. So Opus chunks lag one packet (20 ms)."""

    def __init__(self, codec: int, sample_rate: int, pre_skip_48k: int = 0):
        self.codec = codec
        self.sample_rate = sample_rate
        self.samples = 0  # samples returned so far
        self._decoder = OpusDecoder(sample_rate) if codec == CODEC_OPUS else None
        self._skip = pre_skip_48k * sample_rate // 48000
        self._held = b""

    def feed(self, codec: int, payload: bytes) -> bytes:
        """The PCM of one binary message's payload that is ready to play."""
        if codec != self.codec:
            raise ValueError(f"a frame of codec {codec} in a response of codec {self.codec}")
        if self._decoder is None:
            out = payload
        else:
            decoded = [self._drop_pre_skip(self._decoder.decode(p)) for p in opus_packets(payload)]
            if not decoded:
                return b""
            out, self._held = self._held + b"".join(decoded[:-1]), decoded[-1]
        self.samples += len(out) // 2
        return out

    def finish(self, audio_ms: Optional[int]) -> bytes:
        """What was held back, cut at `audio_ms` (None: all of it); closes the decoder."""
        held, self._held = self._held, b""
        if audio_ms is not None:
            held = held[:max(0, audio_ms * self.sample_rate // 1000 - self.samples) * 2]
        self.samples += len(held) // 2
        if self._decoder is not None:
            self._decoder.close()
        return held

    def _drop_pre_skip(self, pcm: bytes) -> bytes:
        if self._skip <= 0:
            return pcm
        cut = min(self._skip, len(pcm) // 2)
        self._skip -= cut
        return pcm[cut * 2:]


# --- WAV --------------------------------------------------------------------------------------
Pcm = Union[bytes, bytearray, array.array]


def wav_bytes(pcm: Pcm, sample_rate: int = 24000) -> bytes:
    """A mono 16-bit WAV file of `pcm` (s16le bytes, or array('h'))."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(_s16le(pcm))
    return out.getvalue()


def write_wav(path: str, pcm: Pcm, sample_rate: int = 24000) -> None:
    with open(path, "wb") as f:
        f.write(wav_bytes(pcm, sample_rate))


def _s16le(pcm: Pcm) -> bytes:
    if isinstance(pcm, array.array):
        if pcm.typecode != "h":
            raise ValueError(f"PCM arrays hold 16-bit samples (typecode 'h'), not {pcm.typecode!r}")
        if sys.byteorder == "big":
            pcm = array.array("h", pcm)
            pcm.byteswap()
        return pcm.tobytes()
    return bytes(pcm)
