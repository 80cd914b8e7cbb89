"""Blob endpoints: signed upload and download of record ciphertext (see vault.service)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from planet.api.body import read_body
from planet.core.errors import BlobRefused, BlobTooLarge
from planet.sdk.blobauth import ADDRESS_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER
from planet.vault.service import VaultService


def signed_headers(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.headers.items()
            if k.lower() in (ADDRESS_HEADER.lower(), TIMESTAMP_HEADER.lower(),
                             SIGNATURE_HEADER.lower())}


def blob_router(vault: VaultService, max_bytes: int) -> APIRouter:
    router = APIRouter(prefix="/v1/blobs", tags=["vault"])
    auth_doc = (f"Signed with the headers {ADDRESS_HEADER}, {TIMESTAMP_HEADER} and "
                f"{SIGNATURE_HEADER} (see planet.sdk.blobauth).")

    @router.put("/{digest}", status_code=201, description="Upload a record's ciphertext. "
                + auth_doc)
    async def upload(digest: str, request: Request,
                     # Not in the schema: it describes the body, it is not an argument.
                     content_length: Annotated[int | None, Header(include_in_schema=False)
                                               ] = None) -> JSONResponse:
        if content_length is not None and content_length > max_bytes:
            raise BlobTooLarge(f"blob of {content_length} bytes; at most {max_bytes}")
        # The signature and the ledger's rule first, from the head alone; then the body,
        # no longer than the record's committed size; then (the store) its digest.
        size = await run_in_threadpool(vault.check_upload, signed_headers(request), digest,
                                       content_length)
        data = await read_body(request, size, lambda _size: BlobTooLarge(
            f"record {digest} is {size} bytes on the ledger; the body is longer"))
        if len(data) != size:  # a chunked body that ended short
            raise BlobRefused(f"record {digest} is {size} bytes on the ledger, got {len(data)}")
        created = await run_in_threadpool(vault.upload, digest, data)
        return JSONResponse(status_code=201 if created else 200,
                            content={"digest": digest, "size": len(data), "stored": created})

    @router.get("/{digest}", response_class=Response,
                description="Download a record's ciphertext: its owner, or a business with an "
                            "active grant. " + auth_doc)
    async def download(digest: str, request: Request) -> Response:
        data = await run_in_threadpool(vault.download, signed_headers(request), digest)
        return Response(content=data, media_type="application/octet-stream",
                        headers={"X-Planet-Digest": digest})

    return router
