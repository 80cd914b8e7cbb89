"""The URLs a node is told to call: an identity provider's (config.json) and a business's
webhook endpoint. Their form is checked here, once, for both services; what a service adds
(the webhooks' check of the addresses a host resolves to) stays with it."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

MAX_URL = 2_000


class UrlRefused(ValueError):
    """What is wrong with a URL, prefixed with what the URL is for."""


def is_loopback(host: str) -> bool:
    """This machine: `localhost` or a loopback address (a name is not resolved)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str, what: str, *, plain_http: bool = False, max_length: int = MAX_URL) -> str:
    """`url`, if a node may call it: http(s) with a host and a valid port, no user or
    password in it (a secret goes in a header, not in a URL that is shown and logged), at
    most `max_length` characters, and https unless `plain_http` or to this machine (a local
    stub or a TLS-terminating sidecar); else UrlRefused, its message prefixed with `what`."""
    if len(url) > max_length:
        raise UrlRefused(f"{what}: at most {max_length} characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsing the port is what checks it
    except ValueError as err:
        raise UrlRefused(f"{what}: {err}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UrlRefused(f"{what}: expected http:// or https:// with a host")
    if parts.username or parts.password:
        raise UrlRefused(f"{what}: no credentials in the URL")
    if parts.scheme == "http" and not plain_http and not is_loopback(parts.hostname):
        raise UrlRefused(f"{what}: expected an https:// URL (http:// only to this machine)")
    return url
