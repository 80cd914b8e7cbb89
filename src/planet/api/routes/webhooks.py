"""A business's webhook endpoints on this node (planet.webhooks): every request signed by
the business's key, like blob requests (planet.sdk.webhooks.sign_webhooks_request)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from planet.api.body import read_body
from planet.api.errors import ERROR_SCHEMA, ERRORS
from planet.core.address import parse_address
from planet.core.errors import BodyTooLarge
from planet.sdk.blobauth import ADDRESS_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER
from planet.sdk.webhooks import EVENT_TYPES, ID_HEADER
from planet.sdk.webhooks import SIGNATURE_HEADER as HOOK_SIGNATURE
from planet.sdk.webhooks import TIMESTAMP_HEADER as HOOK_TIMESTAMP
from planet.webhooks.service import WebhookService

MAX_BODY = 4_096
AUTH = (f"Signed by the business with the headers {ADDRESS_HEADER}, {TIMESTAMP_HEADER} and "
        f"{SIGNATURE_HEADER}: Ed25519 over the blob requests' bytes (planet.sdk.blobauth) with "
        "`digest` = SHA-256 of `planet/webhooks-request/v1\\n` + the URL path + `\\n` + the body "
        "(planet.sdk.webhooks). Unsigned, stale or forged: 401.")
Business = Annotated[str, Path(max_length=200, description="The business's address.")]


def _headers(request: Request) -> dict[str, str]:
    wanted = (ADDRESS_HEADER.lower(), TIMESTAMP_HEADER.lower(), SIGNATURE_HEADER.lower())
    return {k: v for k, v in request.headers.items() if k.lower() in wanted}


def _too_large(size: int) -> Exception:
    return BodyTooLarge(f"body of {size} bytes; at most {MAX_BODY}")


def webhook_router(service: WebhookService) -> APIRouter:
    r = APIRouter(prefix="/v1/businesses/{address}/webhooks", tags=["exchange"],
                  responses={**ERRORS, 401: ERROR_SCHEMA})

    @r.post("", status_code=201, summary="Add a webhook endpoint",
            description="Body `{\"url\", \"events\"}` with events among "
                        f"{', '.join(EVENT_TYPES)}. The answer holds the endpoint's `secret`, "
                        f"returned this once. Deliveries are POSTs of JSON {{id, type, height, "
                        f"time, data}} with {ID_HEADER}, {HOOK_TIMESTAMP} (Unix s) and "
                        f"{HOOK_SIGNATURE} = hex HMAC-SHA256(secret, timestamp + \".\" + body). "
                        + AUTH)
    async def add(address: Business, request: Request) -> JSONResponse:
        business = parse_address(address, field="address")
        body = await read_body(request, MAX_BODY, _too_large)
        made = await run_in_threadpool(service.register, _headers(request), business,
                                       request.url.path, body)
        return JSONResponse(status_code=201, content=made)

    @r.get("", summary="List webhook endpoints (without their secrets)", description=AUTH)
    async def list_endpoints(address: Business, request: Request) -> dict[str, Any]:
        business = parse_address(address, field="address")
        return await run_in_threadpool(service.list_endpoints, _headers(request), business,
                                       request.url.path)

    @r.delete("/{endpoint}", summary="Remove a webhook endpoint and its delivery log",
              description=AUTH)
    async def remove(address: Business, endpoint: Annotated[str, Path(max_length=64)],
                     request: Request) -> dict[str, Any]:
        business = parse_address(address, field="address")
        return await run_in_threadpool(service.remove, _headers(request), business,
                                       request.url.path, endpoint)

    @r.get("/deliveries", summary="The delivery log, newest first",
           description="Status (pending, delivered, failed), attempts, next attempt, last error, "
                       "the response's code and, for a 2xx, its first bytes. " + AUTH)
    async def deliveries(address: Business, request: Request,
                         endpoint: Annotated[str | None, Query(max_length=64)] = None,
                         limit: Annotated[int, Query(ge=1, le=500)] = 50) -> dict[str, Any]:
        business = parse_address(address, field="address")
        return await run_in_threadpool(service.deliveries, _headers(request), business,
                                       request.url.path, endpoint, limit)

    @r.post("/deliveries/{delivery}/redeliver",
            summary="Send a delivery again now, with a fresh round of attempts",
            description="Body `{}`. " + AUTH)
    async def redeliver(address: Business, delivery: Annotated[int, Path(ge=1)],
                        request: Request) -> dict[str, Any]:
        business = parse_address(address, field="address")
        body = await read_body(request, MAX_BODY, _too_large)  # `{}`, signed as such
        return await run_in_threadpool(service.redeliver, _headers(request), business,
                                       request.url.path, delivery, body)

    return r
