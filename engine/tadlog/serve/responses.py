"""Errors as the service sends them, and request bodies as it reads them.

Every error is one JSON shape (docs/schemas/service.json, ``error``): the TadlogError's code,
message and position, a JSON pointer for a body that breaks its schema, and the diagnostics.
"""
from __future__ import annotations

import json
from typing import Optional

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse as _StarletteJSON

from ..errors import QueryError, TadlogError
from .library import ServiceError

try:  # a compiled encoder: the same bytes as json.dumps below, ten times faster on an answer (50 KB)
    import orjson
except ImportError:  # pragma: no cover - the serve extra installs it; the standard library still works
    orjson = None


class JSONResponse(_StarletteJSON):
    """Starlette's JSON response (compact, UTF-8, no NaN), encoded by orjson where installed.

    Measured on the service's answers (benchmarks/bench_service.py): json.dumps takes 0.4-0.5 ms
    for a 50-60 KB answer, orjson 0.04-0.05 ms, byte for byte the same output."""

    def render(self, content) -> bytes:
        return encode_json(content)


def encode_json(content) -> bytes:
    """What JSONResponse sends: compact UTF-8 JSON, no NaN."""
    if orjson is None:
        return json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode("utf-8")
    return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def error_body(error: TadlogError, status: int) -> dict:
    first = error.diagnostics[0]
    loc = first.location
    return {"schema": "tadlog.error/1", "status": status, "code": first.code, "message": first.message,
            "position": {"line": loc.line, "column": loc.column, "width": loc.width} if loc else None,
            "pointer": getattr(error, "pointer", None), "suggestion": first.suggestion,
            "diagnostics": [d.to_json() for d in error.diagnostics]}


def status_of(error: TadlogError) -> int:
    from ..limits import BudgetExceeded

    if isinstance(error, ServiceError):
        return error.status
    if isinstance(error, BudgetExceeded):
        return 503
    return 422 if isinstance(error, QueryError) else 400


async def error_response(request: Request, error: TadlogError) -> JSONResponse:
    status = status_of(error)
    return JSONResponse(error_body(error, status), status_code=status)


async def http_error(request: Request, error: HTTPException) -> JSONResponse:
    code = {404: "S404", 405: "S405"}.get(error.status_code, f"S{error.status_code}")
    message = {404: f"no such resource: {request.url.path}",
               405: f"{request.method} is not allowed on {request.url.path}"}.get(error.status_code, str(error.detail))
    return await error_response(request, ServiceError(message, code=code, status=error.status_code))


async def internal_error(request: Request, error: Exception) -> JSONResponse:
    """A bug: said plainly in the same structured form, without the traceback."""
    body = error_body(ServiceError(f"internal error ({type(error).__name__}); this is a bug, please report it",
                                   code="S500", status=500), 500)
    return JSONResponse(body, status_code=500)


async def read_json(request: Request, limit: int, schema_pointer: Optional[str] = None, schema: str = "service"):
    """The request body as JSON: size-limited, content type checked, validated against its schema."""
    from .schemas import first_violation

    headers = request.headers
    if headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise ServiceError("send the body as JSON (Content-Type: application/json)", code="S415", status=415)
    declared = headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ServiceError(f"the body is larger than {limit} bytes", code="S413", status=413)
    raw = await _body(request, limit)
    try:
        body = orjson.loads(raw) if orjson is not None else json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:  # orjson's error is a json.JSONDecodeError
        raise ServiceError(f"the body is not valid JSON ({error})", code="S400", status=400) from None
    if schema_pointer:
        violation = first_violation(body, schema, schema_pointer)
        if violation:
            raise ServiceError(violation[1], code="S422", status=422, pointer=violation[0])
    return body


async def _body(request: Request, limit: int) -> bytes:
    """The body's bytes, at most ``limit`` of them, read from the ASGI messages as they come (a
    body sent whole, the usual case, is one message: no list, no join)."""
    from starlette.requests import ClientDisconnect

    first = b""
    chunks = None
    size = 0
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise ServiceError(f"the body is larger than {limit} bytes", code="S413", status=413)
        if chunks is not None:
            chunks.append(chunk)
        elif first:
            chunks = [first, chunk]
        else:
            first = chunk
        if not message.get("more_body", False):
            return b"".join(chunks) if chunks is not None else first
