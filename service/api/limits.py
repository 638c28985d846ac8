"""A counting limit on every request body, chunked ones included, and a read timeout.

Uploads (multipart, and the octet-stream parts of a chunked upload) may carry
``max_upload_bytes``, any other body ``max_json_bytes``.
Content-Length above the limit is refused before a byte is read; otherwise the bytes are counted
as the application receives them and the request is refused (413) the moment they pass the limit,
so nothing larger is ever spooled. A client that stops sending mid-body gets 408 after
``body_read_timeout_seconds`` instead of holding the connection.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio

from service.errors import LabelqError, PayloadTooLarge

Scope = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[dict[str, Any]], Any]

FRAMING_BYTES = 1024 * 1024  # multipart boundaries and form fields around the file


class RequestTimeout(LabelqError):
    status_code = 408
    code = "request_timeout"


class BodyLimit:
    def __init__(
        self,
        app: Any,
        *,
        max_bytes: Callable[[], int],
        max_json_bytes: Callable[[], int],
        timeout_s: Callable[[], float],
    ) -> None:
        self.app, self.max_bytes, self.max_json_bytes, self.timeout_s = (
            app,
            max_bytes,
            max_json_bytes,
            timeout_s,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        kind = headers.get(b"content-type", b"")
        upload = kind.startswith(b"multipart/") or kind.startswith(b"application/octet-stream")  # a part
        limit = self.max_bytes() + FRAMING_BYTES if upload else self.max_json_bytes()
        length = headers.get(b"content-length", b"").decode("latin-1")
        if length.isdigit() and int(length) > limit:
            await _answer(send, PayloadTooLarge(f"request body exceeds {limit} bytes"))
            return
        seen = 0
        timeout = self.timeout_s()

        async def counted() -> dict[str, Any]:
            nonlocal seen
            try:
                with anyio.fail_after(timeout):
                    message = await receive()
            except TimeoutError:
                raise RequestTimeout(f"the request body stalled for {timeout:g} s") from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise PayloadTooLarge(f"request body exceeds {limit} bytes")
            return message

        await self.app(scope, counted, send)


async def _answer(send: Send, exc: LabelqError) -> None:
    from fastapi.responses import JSONResponse

    response = JSONResponse(exc.body(), status_code=exc.status_code, headers={"Connection": "close"})
    await response({"type": "http"}, _no_receive, send)


async def _no_receive() -> dict[str, Any]:
    return {"type": "http.disconnect"}
