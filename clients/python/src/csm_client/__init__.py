"""Python client of csm-server's streaming speech API (WebSocket /v1/stream).

    import asyncio, csm_client

    async def main():
        async with csm_client.Client("ws://127.0.0.1:8080", voice="alloy") as c:
            response = c.speak("Hello there.", max_audio_ms=4000)
            pcm = await response.read()  # or: async for chunk in response
            csm_client.write_wav("hello.wav", pcm)
            print(response.summary)

    asyncio.run(main())

See clients/python/README.md for the whole API and proto/PROTOCOL.md for the protocol."""
from .audio import OpusDecoder, ResponseAudio, wav_bytes, write_wav
from .client import DEFAULT_URL, Client, Response, Summary, Turn
from .errors import CsmError, OpusError

__version__ = "0.1.0"
__all__ = ["Client", "Response", "Summary", "Turn", "CsmError", "OpusError", "OpusDecoder",
           "ResponseAudio", "wav_bytes", "write_wav", "DEFAULT_URL"]
