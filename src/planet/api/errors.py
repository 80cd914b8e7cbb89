"""Errors at the HTTP edge: every refusal is a 4xx with the core's JSON shape
{"code", "codespace", "error", "message"}; the core's errors map to status codes here."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from planet.core.errors import (
    AlreadyVerified,
    BadRequestSignature,
    BlobRefused,
    BlobTooLarge,
    BodyTooLarge,
    CommitTimeout,
    HttpError,
    IdempotencyKeyReused,
    IdentityRejected,
    IdentityUnavailable,
    InternalQueryError,
    InvalidField,
    LedgerRefused,
    MethodNotAllowed,
    Missing,
    NotFound,
    NullifierUsed,
    PhoneNullifierUsed,
    PlanetError,
    StateMismatch,
    TooManyAttempts,
    UnsupportedMediaType,
)

ERROR_SCHEMA: dict[str, Any] = {
    "description": "Refused, with the core's error code and a message",
    "content": {"application/json": {"schema": {
        "type": "object", "required": ["code", "message"],
        "properties": {"code": {"type": "integer"}, "codespace": {"type": "string"},
                       "error": {"type": "string"}, "message": {"type": "string"}}}}},
}
ERRORS: dict[int | str, dict[str, Any]] = {400: ERROR_SCHEMA, 404: ERROR_SCHEMA,
                                          422: ERROR_SCHEMA}

CONFLICTS = (AlreadyVerified.code, NullifierUsed.code, PhoneNullifierUsed.code)
# Starlette's own refusals (no route, wrong method…) as the core's error classes.
_HTTP_ERRORS: dict[int, type[PlanetError]] = {404: NotFound, 405: MethodNotAllowed,
                                              413: BodyTooLarge, 415: UnsupportedMediaType}


def error_body(code: int, codespace: str, error: str, message: str) -> dict[str, Any]:
    return {"code": code, "codespace": codespace, "error": error, "message": message}


def error_response(status: int, err: PlanetError) -> JSONResponse:
    return JSONResponse(status_code=status, content=err.to_dict())


def status_for(err: PlanetError) -> int:
    if isinstance(err, Missing):
        return 404
    if isinstance(err, BadRequestSignature):
        return 401
    if isinstance(err, BlobRefused):
        return 403
    if isinstance(err, BlobTooLarge):
        return 413
    if isinstance(err, IdentityRejected | IdempotencyKeyReused):
        return 422
    if isinstance(err, LedgerRefused) and err.result.get("code") in CONFLICTS:
        return 409
    if isinstance(err, AlreadyVerified):
        return 409  # the identity service checks it itself before sending a code
    if isinstance(err, TooManyAttempts):
        return 429
    if isinstance(err, IdentityUnavailable):
        return 503  # the identity authority or SMS gateway did not answer usably
    if isinstance(err, CommitTimeout | StateMismatch):
        return 503  # StateMismatch: the node's database failed its check; it is stopping
    if isinstance(err, InternalQueryError):
        return 500  # a bug (logged as one), never the caller's fault: say so honestly
    return 400


def orjson_error(status: int, body: dict[str, Any], headers: dict[str, str] | None = None
                 ) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json",
                    headers=headers)


def install_error_handlers(api: FastAPI) -> None:
    @api.exception_handler(PlanetError)
    async def _planet_error(_req: Request, err: PlanetError) -> Response:
        return error_response(status_for(err), err)

    @api.exception_handler(RequestValidationError)
    async def _validation(_req: Request, err: RequestValidationError) -> Response:
        parts = []
        for e in err.errors()[:5]:
            where = ".".join(str(p) for p in e.get("loc", ()) if p not in ("query", "path",
                                                                           "body", "header"))
            parts.append(f"{where or 'request'}: {e.get('msg', 'invalid')}")
        return orjson_error(422, error_body(InvalidField.code, InvalidField.codespace,
                                            "InvalidField", "; ".join(parts) or "invalid request"))

    @api.exception_handler(StarletteHTTPException)
    async def _http(_req: Request, err: StarletteHTTPException) -> Response:
        cls = _HTTP_ERRORS.get(err.status_code, HttpError)
        message = err.detail if isinstance(err.detail, str) else str(err.detail)
        if err.status_code == 404 and message == "Not Found":
            message = "no such route; see /docs for the API"
        if err.status_code == 405:
            message = "method not allowed on this route; see /docs"
        return orjson_error(err.status_code, error_body(cls.code, cls.codespace, cls.__name__,
                                                        message),
                            dict(err.headers) if err.headers else None)
