"""One response of /v1/stream: its audio as PCM chunks, its streamed text, its cancel and
its summary. Made by Client.speak and Client.stream; the client's reader task feeds it."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from .audio import ResponseAudio
from .errors import CsmError

if TYPE_CHECKING:
    from .client import Client, Turn

_END = object()  # the end of a response's audio queue


@dataclass(frozen=True)
class Summary:
    """How a response ended: its `response.done`."""
    response_id: int
    reason: str  # end_of_audio, max_length, context_full, cancelled or error
    frames: int  # 80 ms frames sent (the tail not counted)
    audio_ms: int  # the audio delivered, after speed: what a whole response's chunks add up to
    ttfa_ms: Optional[float]  # on the server: response.create received -> first frame sent
    error_code: Optional[str] = None  # when reason is error


class Response:
    """One response: an async iterator of PCM chunks (`bytes`, mono s16le at the client's
    sample_rate; `array.array("h", chunk)` gives the samples), then `summary`.

    The chunks of a whole response add up to exactly `summary.audio_ms`. With Opus each chunk
    lags one 20 ms packet (see audio.ResponseAudio); PCM chunks come as they arrive. A failed
    response raises CsmError from the iteration (its `summary` is set when the server sent
    response.done). Used as `async with`, leaving the block early cancels the response."""

    def __init__(self, client: Client, text: Optional[str], context: List[Turn],
                 options: Dict[str, Any]):
        self._client = client
        self.text = text  # None: streamed (Client.stream)
        self.id: Optional[int] = None  # response_id, from response.created
        self.summary: Optional[Summary] = None
        self._context = context  # turns to add before response.create
        self._options = _given(**options)
        self._queue: asyncio.Queue = asyncio.Queue()  # frames, then _END; bounded by the
        # response's max_audio_ms, which the server caps (engine.max_audio_ms_limit)
        self._finished = asyncio.Event()
        self._begun: Optional[asyncio.Future] = None
        self._audio: Optional[ResponseAudio] = None
        self._flushed = False
        self._frames_seen = 0  # binary messages received, the tail included
        self._error: Optional[CsmError] = None
        self._cancelled = False
        self._text_done = text is not None
        self._event_ids: set = set()  # our messages about this response
        self._cancel_ids: set = set()  # our response.cancel messages

    @property
    def received_ms(self) -> int:
        """Milliseconds of audio the iteration has returned so far."""
        return self._audio.samples * 1000 // self._audio.sample_rate if self._audio else 0

    async def start(self) -> "Response":
        """Adds the context and sends response.create (once; iterating starts it too)."""
        if self._begun is None:
            self._begun = asyncio.ensure_future(self._client._begin(self))
        await self._begun
        return self

    async def __aenter__(self) -> "Response":
        return await self.start()

    async def __aexit__(self, exc_type, exc, tb) -> None:
        if self._begun is not None and not self._finished.is_set():
            try:
                await self.cancel(self.received_ms)
            except CsmError:
                if exc is None:
                    raise

    def __aiter__(self) -> "Response":
        return self

    async def __anext__(self) -> bytes:
        await self.start()
        while True:
            if self._cancelled:  # no more audio; an error that made the client cancel is raised
                await self._client._wait(self._finished.wait(), "response.done")
                if self._error is not None:
                    raise self._error
                raise StopAsyncIteration
            # While streamed text may still come, a pause in the audio is the text's: no limit.
            get = self._queue.get()
            item = await (self._client._wait(get, "audio") if self._text_done else get)
            if self._cancelled:
                continue
            if item is not _END:
                pcm = self._audio.feed(item.codec, item.payload)
                if pcm:
                    return pcm
                continue
            self._queue.put_nowait(_END)  # every later call ends too
            if self._audio is not None and not self._flushed:
                self._flushed = True  # the held-back audio, cut at audio_ms
                rest = self._audio.finish(self.summary.audio_ms if self.summary else None)
                if rest and self._error is None:
                    return rest
            if self._error is not None:
                raise self._error
            raise StopAsyncIteration

    async def read(self) -> bytes:
        """The whole response's PCM."""
        return b"".join([chunk async for chunk in self])

    async def send(self, text: str) -> None:
        """Streamed responses: more text (text.delta). Ignored once the response has ended or
        was cancelled (as the server drops text past max_audio_ms)."""
        if self.text is not None:
            raise TypeError("send() is for responses made with Client.stream()")
        if self._text_done:
            raise ValueError("send() after done()")
        await self.start()
        if text and not self._finished.is_set() and not self._cancelled:
            await self._client._send_for({"type": "text.delta", "delta": text}, self._event_ids)

    async def done(self) -> None:
        """Streamed responses: the text is complete (text.done)."""
        if self._text_done:
            return
        self._text_done = True
        await self.start()
        if not self._finished.is_set() and not self._cancelled:
            await self._client._send_for({"type": "text.done"}, self._event_ids)

    async def cancel(self, played_ms: Optional[int] = None) -> Optional[Summary]:
        """Barge-in: response.cancel with `played_ms`, the milliseconds of this response's
        audio the user heard (on the clock of `audio_ms`; None: the server keeps all it sent
        in the conversation). The iteration returns no more audio and ends. Waits for
        response.done and returns the summary: reason `cancelled`, or how the response ended
        if it ended first; None if it was never started."""
        if self._finished.is_set() or self._cancelled:
            if not self._finished.is_set():
                await self._client._wait(self._finished.wait(), "response.done")
            return self.summary
        self._cancelled = True
        while not self._queue.empty():  # the audio not yet returned is dropped
            self._queue.get_nowait()
        if self._begun is None:
            self._end()
            return None
        try:
            await self._begun  # response.create is out (or the response never began)
        except CsmError:
            return self.summary
        if not self._finished.is_set():
            message: Dict[str, Any] = {"type": "response.cancel"}
            if self.id is not None:
                message["response_id"] = self.id
            if played_ms is not None:
                message["played_ms"] = max(0, int(played_ms))
            await self._client._send_for(message, self._cancel_ids)
            await self._client._wait(self._finished.wait(), "response.done")
        return self.summary

    # --- called by the client's reader --------------------------------------------------------
    def _owns(self, error: CsmError) -> bool:
        return ((error.response_id is not None and error.response_id == self.id)
                or error.event_id in self._event_ids or error.event_id in self._cancel_ids)

    def _on_created(self, event: dict) -> None:
        self.id = event["response_id"]
        self._audio = ResponseAudio(self._client.codec, self._client.sample_rate,
                                    event.get("opus_pre_skip", 0))

    def _on_frame(self, frame) -> None:
        if frame.index != self._frames_seen:  # the server numbers a response's frames 0, 1, ...
            return self._end(CsmError("protocol", f"frame {frame.index} of response {self.id} "
                                      f"came where frame {self._frames_seen} was due"))
        self._frames_seen += 1
        if not self._cancelled and self._error is None and not self._finished.is_set():
            self._queue.put_nowait(frame)

    def _on_done(self, event: dict) -> None:
        self.summary = Summary(event["response_id"], event["reason"], event.get("frames", 0),
                               event.get("audio_ms", 0), event.get("ttfa_ms"),
                               event.get("error_code"))
        if self.summary.reason == "error" and self._error is None:
            self._error = CsmError(self.summary.error_code or "internal_error",
                                   "the response failed", response_id=self.id)
        self._end()

    def _on_error(self, error: CsmError) -> None:
        if self._finished.is_set() or error.event_id in self._cancel_ids:
            return  # a cancel that crossed the response's end: nothing to do
        if self._error is None:
            self._error = error
        if self.id is None:  # response.create refused: no response.done follows
            self._end()
        elif error.response_id != self.id:
            # About our text (text.delta / text.done): the response would go on without it.
            # It ends instead, and the iteration raises the error.
            self._client._spawn(self._cancel_quietly())

    async def _cancel_quietly(self) -> None:
        try:
            await self.cancel(self.received_ms)
        except CsmError:
            pass

    def _end(self, error: Optional[CsmError] = None) -> None:
        if self._finished.is_set():
            return
        if error is not None and self._error is None:
            self._error = error
        self._queue.put_nowait(_END)
        self._finished.set()


def _given(**values: Any) -> Dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}
