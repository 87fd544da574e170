"""The client's exception types."""
from __future__ import annotations

from typing import Optional


class CsmError(Exception):
    """An error from csm-server or from the connection to it.

    `code` is the protocol's error code (proto/PROTOCOL.md, "Error codes": `unknown_voice`,
    `text_too_long`, `unauthorized`, ...) when the server named one; the client's own are
    `connection_failed` (no WebSocket connection), `connection_closed` (it closed while
    something was awaited), `timeout` (no answer within the client's timeout),
    `out_of_order` (a response started while another runs), `protocol` (a message the
    client cannot read) and `http_NNN` (a handshake refused with a status the protocol does
    not name).
    `event_id` names the client message the server objected to, `response_id` the response
    it concerns, `status` the HTTP status of a refused handshake."""

    def __init__(self, code: str, message: str, *, event_id: Optional[str] = None,
                 response_id: Optional[int] = None, status: Optional[int] = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.event_id = event_id
        self.response_id = response_id
        self.status = status


class OpusError(Exception):
    """libopus is missing or failed to decode a packet. Without libopus, use
    `Client(codec="pcm")`: the server then sends PCM and nothing needs decoding."""
