"""The identity verifier's HTTP face (logic in planet.identity.service)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from planet.api.blobs import signed_headers
from planet.api.body import read_body
from planet.api.context import ApiContext
from planet.api.errors import ERROR_SCHEMA, ERRORS
from planet.api.shapes import ATTESTED, CODE_SENT, VERIFIER, ok
from planet.core.errors import NotFound
from planet.identity.service import MAX_SEALED_BYTES, IdentityService


def router(ctx: ApiContext) -> APIRouter:
    r = APIRouter(prefix="/v1/identity", tags=["identity"], responses=ERRORS)

    def service() -> IdentityService:
        if ctx.identity is None:
            raise NotFound("this node holds no identity verifier key")
        return ctx.identity

    @r.get("/verifier", responses=ok(VERIFIER), summary="The verifier whose key this node holds")
    def verifier() -> dict[str, Any]:
        return service().describe()

    sealed_body = {"requestBody": {"required": True, "content": {
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}
    signed = ("Body: HPKE seal (application/octet-stream) to the verifier's encryption key, "
              "info = 'planet/identity/v1\\n' + resident address, of UTF-8 JSON {fields}; "
              "signed by the resident with the X-Planet-* headers (method POST, digest = "
              "SHA-256 of the body). ")
    sealed_responses: dict[int | str, dict[str, Any]] = {
        status: ERROR_SCHEMA for status in (401, 409, 413, 422, 429, 503)}

    async def read_sealed(request: Request, what: str) -> tuple[dict[str, str], bytes]:
        """The resident's signed headers and the sealed body, refused early when too long."""
        body = await read_body(request, MAX_SEALED_BYTES, lambda _size: HTTPException(
            413, f"body: a sealed {what} is at most {MAX_SEALED_BYTES} bytes"))
        return signed_headers(request), body

    @r.post("/code", summary="Send a one-time code to the resident's phone",
            description=signed.format(fields="{phone}") +
            "The code (6 digits, valid `valid_s` seconds, one use) goes to the phone through "
            "the node's code sender; a new one replaces the last. Sends are limited per "
            "resident and per phone and day (429). The number is neither logged nor stored.",
            responses={**ok(CODE_SENT), **sealed_responses},
            openapi_extra=sealed_body)
    async def send_code(request: Request) -> dict[str, Any]:
        svc = service()
        sent = await run_in_threadpool(svc.send_code, *await read_sealed(request, "phone number"))
        return sent.to_json()

    @r.post("/verify", summary="Check a resident's real-name details and attest them",
            description=signed.format(fields="{name, id_number, phone, code}") +
            "The details' form is checked first (the ID number's public checksum), so a typo "
            "does not use up the code; the code is the one /v1/identity/code sent to that "
            "phone, and it is checked before the identity authority is asked anything, so a "
            "wrong code says nothing about the name and ID number. Then the authority is "
            "asked whether the name goes with the ID number, and the ledger gets the ID "
            "number's and the phone's nullifiers (409 if either is used). "
            "Attempts are limited per resident and per phone and day (429). Nothing about "
            "the details is logged or stored.",
            responses={**ok(ATTESTED), **sealed_responses},
            openapi_extra=sealed_body)
    async def verify(request: Request) -> dict[str, Any]:
        svc = service()
        attested = await run_in_threadpool(svc.verify, *await read_sealed(request, "identity"))
        return attested.to_json()

    return r
