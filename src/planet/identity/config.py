"""The verifier's providers as a node configures them: config.json's "identity" object,
`planet node` flags over it, API keys from the environment (never in config.json).

    "identity": {"authority_url": "https://idv.example/v1/check",
                 "sms_url": "https://sms.example/v1/send"}

An empty or absent URL keeps the development default (checksum only; codes in the log).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from planet.identity.providers import (
    KEY_HEADER,
    TIMEOUT_S,
    ChecksumAuthority,
    CodeSender,
    ConsoleSender,
    HttpAuthority,
    HttpSender,
    IdentityAuthority,
)

AUTHORITY_KEY_ENV = "PLANET_IDENTITY_AUTHORITY_KEY"
SMS_KEY_ENV = "PLANET_SMS_KEY"


@dataclass(frozen=True)
class IdentityConfig:
    authority_url: str = ""  # empty: ChecksumAuthority
    sms_url: str = ""  # empty: ConsoleSender
    key_header: str = KEY_HEADER
    timeout_s: float = TIMEOUT_S

    @classmethod
    def from_config(cls, data: Mapping[str, Any], **overrides: str | None) -> IdentityConfig:
        """From config.json's object; a None override leaves the file's value."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"config.json identity: unknown field(s) {', '.join(unknown)}; "
                             f"known: {', '.join(sorted(known))}")
        merged = {**data, **{k: v for k, v in overrides.items() if v is not None}}
        for name in ("authority_url", "sms_url", "key_header"):
            if not isinstance(merged.get(name, ""), str):
                raise ValueError(f"config.json identity.{name}: expected a string")
        return cls(**merged)

    def authority(self, env: Mapping[str, str]) -> IdentityAuthority:
        if not self.authority_url:
            return ChecksumAuthority()
        if not env.get(AUTHORITY_KEY_ENV):
            raise ValueError(f"identity authority_url is set: give its API key in {AUTHORITY_KEY_ENV}")
        return HttpAuthority(self.authority_url, env[AUTHORITY_KEY_ENV],
                             key_header=self.key_header, timeout_s=self.timeout_s)

    def sender(self, env: Mapping[str, str]) -> CodeSender:
        if not self.sms_url:
            return ConsoleSender()
        if not env.get(SMS_KEY_ENV):
            raise ValueError(f"identity sms_url is set: give its API key in {SMS_KEY_ENV}")
        return HttpSender(self.sms_url, env[SMS_KEY_ENV], key_header=self.key_header,
                          timeout_s=self.timeout_s)
