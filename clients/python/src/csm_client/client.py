"""The asyncio client of csm-server's WebSocket API, /v1/stream (proto/PROTOCOL.md).

One `Client` is one WebSocket session: a background task reads every server message and
routes it (replies to the request that awaits them, audio and `response.done` to the running
`Response`, errors to whatever message they name). One response runs at a time, as on the
server. Not thread-safe: use a client from one event loop."""
from __future__ import annotations

import array
import asyncio
import base64
import itertools
import json
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Tuple, Union
from urllib.parse import urlsplit, urlunsplit

from .audio import CODEC_OPUS, CODEC_PCM_S16LE, OPUS_RATES, _s16le, load_libopus, parse_frame
from .errors import CsmError
from .response import Response, Summary, _given

DEFAULT_URL = "ws://127.0.0.1:8080/v1/stream"
# Context audio up to this size goes inline (base64) in context.add; the server takes messages
# of up to 64 KiB by default (limits.max_message_bytes). Larger audio follows as a binary message.
INLINE_AUDIO_MAX = 32 * 1024
# A refused handshake's HTTP status -> the protocol's code, when the body does not say.
_HTTP_CODES = {401: "unauthorized", 404: "not_found", 429: "rate_limited",
               503: "too_many_connections"}


@dataclass(frozen=True)
class Turn:
    """A past turn of the conversation (`context.add`): its text and/or audio.

    `audio`: the bytes of a WAV or Ogg Opus file (the format is read from its first bytes),
    raw PCM bytes with `audio_format` "pcm_s16le" or "pcm_f32le" and `sample_rate`, or
    array('h') (pcm_s16le; `sample_rate` defaults to 24000)."""
    text: Optional[str] = None
    audio: Optional[Union[bytes, bytearray, array.array]] = None
    speaker: int = 1
    audio_format: Optional[str] = None
    sample_rate: Optional[int] = None


class Client:
    """A WebSocket session with csm-server.

        async with Client("ws://127.0.0.1:8080", voice="alloy") as c:
            async for chunk in c.speak("Hello there.", max_audio_ms=4000):
                play(chunk)  # 24 kHz mono s16le PCM

    url: ws://HOST:PORT (the path defaults to /v1/stream; http:// works too). api_key: sent as
    `Authorization: Bearer KEY`. voice, speaker, seed, temperature, top_k, max_audio_ms,
    speed: the session's defaults (`session.update`; see proto/PROTOCOL.md). codec: "opus"
    (the server sends Opus, decoded here with libopus through ctypes: OpusError at once if
    libopus is missing) or "pcm" (the server sends PCM: 12x the bytes, nothing to decode).
    sample_rate: of the PCM chunks (Opus: 8000, 12000, 16000, 24000, 48000; PCM: 8000, 16000,
    24000, 48000). timeout: seconds to wait for any one answer of the server (the
    handshake, a reply, the next audio message) before CsmError("timeout"). keepalive:
    seconds of silence after which the client sends a `ping` message, so that the server's
    idle timeout (limits.idle_timeout_ms, 2 minutes by default) does not close a session
    that waits between turns; None: never."""

    def __init__(self, url: str = DEFAULT_URL, *, api_key: Optional[str] = None,
                 voice: Optional[str] = None, speaker: Optional[int] = None, codec: str = "opus",
                 sample_rate: int = 24000, seed: Optional[int] = None,
                 temperature: Optional[float] = None, top_k: Optional[int] = None,
                 max_audio_ms: Optional[int] = None, speed: Optional[float] = None,
                 timeout: float = 30.0, keepalive: Optional[float] = 30.0):
        if codec == "opus":
            if sample_rate not in OPUS_RATES:
                raise ValueError(f"Opus decodes at {OPUS_RATES} Hz, not {sample_rate}")
            load_libopus()
            output_format = {"codec": "opus", "opus_frame_ms": 20}
        elif codec == "pcm":
            output_format = {"codec": "pcm_s16le", "sample_rate": sample_rate}
        else:
            raise ValueError(f"codec is 'opus' or 'pcm', not {codec!r}")
        self.url = _stream_url(url)
        self.api_key = api_key
        self.codec = CODEC_OPUS if codec == "opus" else CODEC_PCM_S16LE
        self.sample_rate = sample_rate
        self.timeout = timeout
        self.keepalive = keepalive
        self.session: Dict[str, Any] = {}  # the effective settings (session.created / updated)
        self._settings = _given(voice=voice, speaker=speaker, seed=seed, temperature=temperature,
                                top_k=top_k, max_audio_ms=max_audio_ms, speed=speed)
        self._settings["output_format"] = output_format
        self._ws = None
        self._websockets = None
        self._reader: Optional[asyncio.Task] = None
        self._keepalive: Optional[asyncio.Task] = None
        self._last_sent = 0.0  # loop time of the last message sent
        # event_id -> (the reply's type, its future)
        self._waiters: Dict[str, Tuple[str, asyncio.Future]] = {}
        self._ids = itertools.count(1)
        self._current: Optional[Response] = None  # the latest response begun
        self._session_error: Optional[CsmError] = None  # an error about no message (timeout, ...)
        self._closed_error: Optional[CsmError] = None
        self._tasks: set = set()

    # --- connection ---------------------------------------------------------------------------
    async def __aenter__(self) -> "Client":
        return await self.connect()

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def connect(self) -> "Client":
        """Opens the WebSocket, waits for session.created and applies the session settings.
        After close(), connect() starts a new session (the server forgets the old one's
        conversation)."""
        if self._ws is not None:
            raise RuntimeError("the client is connected")
        self._websockets = websockets = _import_websockets()
        self._send_lock = asyncio.Lock()
        self._begin_lock = asyncio.Lock()
        self._current = self._session_error = self._closed_error = None
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        major = int(websockets.__version__.split(".")[0])  # 14 renamed the headers argument
        options = {"additional_headers" if major >= 14 else "extra_headers": headers}
        try:  # no permessage-deflate: audio does not compress
            self._ws = await websockets.connect(self.url, open_timeout=self.timeout,
                                                compression=None, **options)
        except websockets.exceptions.InvalidHandshake as e:
            raise _handshake_error(self.url, e) from None
        except (OSError, asyncio.TimeoutError) as e:
            raise CsmError("connection_failed", f"{self.url}: {e or 'timed out'}") from None
        created = asyncio.get_running_loop().create_future()
        self._waiters["session.created"] = ("session.created", created)
        self._reader = asyncio.ensure_future(self._read())
        self._last_sent = asyncio.get_running_loop().time()
        if self.keepalive:
            self._keepalive = asyncio.ensure_future(self._keep_alive())
        try:
            await self._wait(created, "session.created")
            await self._request({"type": "session.update", "session": self._settings},
                                "session.updated")
        except BaseException:
            await self.close()
            raise
        finally:
            self._waiters.pop("session.created", None)
        return self

    async def close(self) -> None:
        """Closes the connection; whatever still awaits the server gets CsmError."""
        ws, self._ws = self._ws, None
        if ws is None:
            return
        try:
            await ws.close()
        finally:
            for task in (self._reader, self._keepalive):
                if task is not None:
                    task.cancel()
            self._on_closed(CsmError("connection_closed", "the client closed the connection"))

    # --- requests -----------------------------------------------------------------------------
    async def update(self, **settings: Any) -> Dict[str, Any]:
        """session.update with voice, speaker, seed, temperature, top_k, max_audio_ms or speed;
        returns the effective session. (The output format is the client's: fixed.)"""
        if "output_format" in settings:
            raise ValueError("the output format is set by Client(codec=, sample_rate=)")
        await self._request({"type": "session.update", "session": settings}, "session.updated")
        return self.session

    async def add_context(self, text: Optional[str] = None, audio=None, *, speaker: int = 1,
                          audio_format: Optional[str] = None,
                          sample_rate: Optional[int] = None) -> Dict[str, Any]:
        """Adds a past turn to the conversation (see `Turn` for `audio`); returns the
        `context.added` event (`item_id`, `audio_ms`)."""
        return await self._add_turn(Turn(text, audio, speaker, audio_format, sample_rate))

    async def ping(self) -> None:
        await self._request({"type": "ping"}, "pong")

    def speak(self, text: str, *, context: Iterable[Union[Turn, dict]] = (),
              **options: Any) -> "Response":
        """A response that speaks `text`, after adding the `context` turns (Turn or dicts of
        Turn's fields). options (this response only): voice, speaker, seed, temperature, top_k,
        max_audio_ms, speed. Nothing is sent until the response is iterated, entered or
        started."""
        if not isinstance(text, str):
            raise TypeError("text is a str")
        return Response(self, text, _turns(context), options)

    def stream(self, *, context: Iterable[Union[Turn, dict]] = (), **options: Any) -> "Response":
        """A response whose text streams in: `await r.send(piece)` ... `await r.done()`
        (text.delta / text.done) while its audio is iterated. Options as for speak()."""
        return Response(self, None, _turns(context), options)

    async def cancel(self, played_ms: Optional[int] = None) -> Optional[Summary]:
        """Barge-in on the running response: see Response.cancel. None when none runs."""
        current = self._current
        if current is None or current._finished.is_set():
            return None
        return await current.cancel(played_ms)

    # --- internals: sending -------------------------------------------------------------------
    async def _add_turn(self, turn: Turn) -> Dict[str, Any]:
        item, follows = _context_item(turn)
        return await self._request({"type": "context.add", "item": item}, "context.added", follows)

    async def _request(self, message: dict, reply: str, binary: Optional[bytes] = None) -> dict:
        """Sends `message` (and `binary` right after it) and waits for its reply event."""
        event_id = f"py{next(self._ids)}"
        future = asyncio.get_running_loop().create_future()
        self._waiters[event_id] = (reply, future)
        try:
            await self._send(dict(message, event_id=event_id), binary)
            return await self._wait(future, reply)
        finally:
            self._waiters.pop(event_id, None)

    async def _send(self, message: dict, binary: Optional[bytes] = None) -> None:
        if self._closed_error is not None:
            raise self._closed_error
        if self._ws is None:
            raise CsmError("connection_closed", "not connected: use `async with Client(...)`")
        async with self._send_lock:  # a context.add's audio must be the very next message
            try:
                await self._ws.send(json.dumps(message))
                if binary is not None:
                    await self._ws.send(binary)
                self._last_sent = asyncio.get_running_loop().time()
            except self._websockets.exceptions.ConnectionClosed as e:
                raise self._closed_error or CsmError("connection_closed", str(e)) from None

    async def _send_for(self, message: dict, ids: set) -> None:
        """Sends a message about a response, its event_id added to `ids` (the response's), so
        that an error naming it reaches the response."""
        event_id = f"py{next(self._ids)}"
        ids.add(event_id)
        await self._send(dict(message, event_id=event_id))

    async def _wait(self, awaitable, what: str):
        try:
            return await asyncio.wait_for(awaitable, self.timeout)
        except asyncio.TimeoutError:
            raise CsmError("timeout",
                           f"no {what} from the server within {self.timeout} s") from None

    async def _begin(self, r: "Response") -> None:
        """Adds r's context and sends its response.create (Response.start)."""
        async with self._begin_lock:
            previous = self._current
            if previous is not None and not previous._finished.is_set():
                if not previous._cancelled:
                    raise CsmError("out_of_order", "a response is in progress: read it to "
                                   "the end or cancel it first", response_id=previous.id)
                await self._wait(previous._finished.wait(), "response.done")
            self._current = r
            try:
                for turn in r._context:
                    await self._add_turn(turn)
                if r._cancelled:  # before it was created: nothing to tell the server
                    return r._end()
                response = dict(r._options, **({} if r.text is None else {"text": r.text}))
                await self._send_for({"type": "response.create", "response": response},
                                     r._event_ids)
            except BaseException as e:
                r._end(e if isinstance(e, CsmError) else None)
                raise

    async def _keep_alive(self) -> None:
        loop = asyncio.get_running_loop()
        while self._closed_error is None:
            quiet = loop.time() - self._last_sent
            if quiet < self.keepalive:
                await asyncio.sleep(self.keepalive - quiet)
                continue
            try:
                await self._send({"type": "ping"})  # its pong is ignored
            except CsmError:
                return

    def _spawn(self, coroutine) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- internals: receiving (the reader task) ----------------------------------------------
    async def _read(self) -> None:
        ws, error = self._ws, None
        try:
            async for message in ws:
                if isinstance(message, (bytes, bytearray)):
                    frame = parse_frame(message)
                    current = self._current
                    if current is not None and current.id == frame.response_id:
                        current._on_frame(frame)
                else:
                    self._on_event(json.loads(message))
        except self._websockets.exceptions.ConnectionClosed:
            pass
        except (ValueError, KeyError, TypeError) as e:  # not the protocol we speak
            error = CsmError("protocol", f"unexpected message from the server: {e!r}")
            self._spawn(ws.close())
        finally:
            if self._ws is ws:  # the server closed it, or it broke (close() tells its own)
                reason = getattr(ws, "close_reason", None) or getattr(ws, "reason", "")
                self._on_closed(error or self._session_error or CsmError(
                    "connection_closed", f"the server closed the connection (code "
                    f"{getattr(ws, 'close_code', None)}" + (f": {reason})" if reason else ")")))

    def _on_event(self, event: dict) -> None:
        kind = event["type"]
        current = self._current
        if kind in ("session.created", "session.updated"):
            self.session = event["session"]
        if kind == "error":
            self._on_error(event["error"])
        elif kind == "response.created" and current is not None:
            current._on_created(event)
        elif kind == "response.done" and current is not None and current.id == event["response_id"]:
            current._on_done(event)
        else:  # a reply: to the oldest request waiting for this type (the server answers in order)
            for reply, future in self._waiters.values():
                if reply == kind and not future.done():
                    future.set_result(event)
                    break
        # Other types are events of later protocol versions: ignored.

    def _on_error(self, e: dict) -> None:
        error = CsmError(e.get("code", "internal_error"), e.get("message", ""),
                         event_id=e.get("event_id"), response_id=e.get("response_id"))
        waiter = self._waiters.get(error.event_id)
        if waiter is not None:
            if not waiter[1].done():
                waiter[1].set_exception(error)
        elif self._current is not None and self._current._owns(error):
            self._current._on_error(error)
        else:  # about no message of ours: the session's (timeout, slow_consumer, shutting_down)
            self._session_error = error

    def _on_closed(self, error: CsmError) -> None:
        if self._closed_error is None:
            self._closed_error = error
        for _, future in self._waiters.values():
            if not future.done():
                future.set_exception(self._closed_error)
        if self._current is not None:
            self._current._end(self._closed_error)


def _stream_url(url: str) -> str:
    """ws(s)://HOST:PORT[/path]; http(s) is taken for ws(s), and no path means /v1/stream."""
    parts = urlsplit(url)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    if scheme not in ("ws", "wss"):
        raise ValueError(f"not a ws://, wss://, http:// or https:// URL: {url}")
    return urlunsplit((scheme, parts.netloc, parts.path or "/v1/stream", parts.query, ""))


def _turns(context: Iterable[Union[Turn, dict]]) -> List[Turn]:
    return [t if isinstance(t, Turn) else Turn(**t) for t in context]


def _context_item(turn: Turn) -> Tuple[dict, Optional[bytes]]:
    """context.add's item for `turn`, and the audio to send after it (None: none, or inline)."""
    item: Dict[str, Any] = {"speaker": turn.speaker}
    if turn.text is not None:
        item["text"] = turn.text
    if turn.audio is None:
        return item, None
    if isinstance(turn.audio, array.array):
        data, audio_format = _s16le(turn.audio), turn.audio_format or "pcm_s16le"
        sample_rate = turn.sample_rate or 24000
    else:
        data = bytes(turn.audio)
        sniffed = {b"RIFF": "wav", b"OggS": "ogg_opus"}.get(data[:4])
        audio_format, sample_rate = turn.audio_format or sniffed, turn.sample_rate
        if audio_format is None:
            raise ValueError("Turn.audio is not a WAV or Ogg Opus file: for raw PCM give "
                             "audio_format ('pcm_s16le' or 'pcm_f32le') and sample_rate")
    item["audio_format"] = audio_format
    if audio_format.startswith("pcm"):
        if not sample_rate:
            raise ValueError(f"{audio_format} context audio needs its sample_rate")
        item["sample_rate"] = sample_rate
    if len(data) <= INLINE_AUDIO_MAX:
        item["audio"] = base64.b64encode(data).decode("ascii")
        return item, None
    item["audio_follows"] = True
    return item, data


def _handshake_error(url: str, e: Exception) -> CsmError:
    """A refused WebSocket handshake as CsmError, with the server's code where it sent one."""
    response = getattr(e, "response", None)  # websockets >= 14: InvalidStatus
    status = getattr(e, "status_code", None) or getattr(response, "status_code", None)
    if status is None:
        return CsmError("connection_failed", f"{url}: {e}")
    code, message = _HTTP_CODES.get(status, f"http_{status}"), f"{url}: HTTP {status}"
    try:  # the body, where this websockets version keeps it: {"error": {"code", "message"}}
        error = json.loads(getattr(response, "body", b"") or b"")["error"]
        code, message = error.get("code") or code, error.get("message") or message
    except (ValueError, KeyError, TypeError):
        pass
    return CsmError(code, message, status=status)


def _import_websockets():
    try:
        import websockets
        import websockets.exceptions
    except ImportError:
        raise ImportError("csm_client needs the websockets package (pip install websockets; "
                          "Debian: apt install python3-websockets)") from None
    return websockets
