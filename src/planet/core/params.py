"""Parameters in three tiers (as in Ethereum's consensus specs):

- constants: protocol facts that never change (here, in `types` and the modules);
- presets: `Params.production()` for real deployments and `Params.test()` with short
  periods for tests and simulations;
- per-network values chosen in the genesis document (chain id, keys, catalog), which may
  override any preset field by name.

Emission is set here once, at genesis; nothing on the ledger can change it later.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from planet.core.errors import GenesisError
from planet.core.types import MILLIS_PER_DAY

REFERENCE_RESIDENTS = 100_000
"""The resident count the default daily cap is justified at (see `compute_daily_cap`)."""


@dataclass(frozen=True, slots=True)
class Params:
    # ledger
    max_tx_bytes: int = 32 * 1024
    max_messages_per_tx: int = 16
    max_string_bytes: int = 256
    max_list_items: int = 64
    # registration
    invites_per_resident: int = 3
    timezone_offset_minutes: int = 8 * 60
    # Force: what a business may attest per local day unless the operator sets its own quota
    business_daily_force_quota: int = 1_000
    # emission (µBD per second in era 0; era k pays floor(rate / 2**k))
    emission_rate_micro_per_second: int = 3_125_000
    halving_interval_ms: int = 730 * MILLIS_PER_DAY
    dormancy_ms: int = 48 * 3_600_000
    # Lucky Drill
    drill_share_bps: int = 500
    drill_min_force: int = 35
    drill_entry_force: int = 5
    drill_round_ms: int = MILLIS_PER_DAY
    drill_winners: int = 1
    drill_reveal_ms: int = 3_600_000  # after close; no reveal by then voids the round

    # vault and exchange
    vault_max_record_bytes: int = 4 * 1024 * 1024  # ciphertext of one record, in the blob store
    exchange_max_access_ms: int = 365 * MILLIS_PER_DAY  # longest access a data request may ask
    exchange_max_open_ms: int = 90 * MILLIS_PER_DAY  # longest a request or offer may stay open
    # diamonds stay where they were earned (ARCHITECTURE.md, "Relays through a business")
    min_cohort: int = 10  # a data request pays and opens nothing until this many residents accepted
    max_cohort: int = 1_000  # activating a cohort touches each of its grants: bounded work per tx
    # µBD a resident may receive from businesses per local day: one day of era-0 emission per
    # resident at REFERENCE_RESIDENTS (270,000 BD / 100,000 = 2.7 BD), see `compute_daily_cap`
    resident_daily_cap_micro: int = 2_700_000
    # business applications (planet.core.applications): a new key applies without an account
    # or a deposit, so the queue bounds them: at most this many wait for the operator at once,
    # and a key whose application was decided or withdrawn waits this long to apply again
    max_pending_applications: int = 1_000
    application_retry_ms: int = MILLIS_PER_DAY
    # identity verification, per resident and per phone and local day, counted by the
    # verifier (off the ledger): attempts leave room for typos, sends for a lost SMS, and a
    # 6-digit code guessed at most 5 times a day is found with odds of 1 in 200,000
    identity_attempts_per_day: int = 5
    identity_code_sends_per_day: int = 3

    @classmethod
    def production(cls) -> Params:
        return cls()

    @classmethod
    def test(cls) -> Params:
        """Same rules, small limits: keeps property tests fast and their failures small."""
        return cls(max_tx_bytes=16 * 1024, max_messages_per_tx=8)

    @classmethod
    def preset(cls, name: str) -> Params:
        if name == "production":
            return cls.production()
        if name == "test":
            return cls.test()
        raise GenesisError(f"unknown params preset '{name}' (expected 'production' or 'test')")

    def with_overrides(self, overrides: dict[str, Any]) -> Params:
        known = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise GenesisError(f"unknown params field(s): {', '.join(unknown)}")
        for name, value in overrides.items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise GenesisError(f"params.{name} must be a non-negative integer")
        params = dataclasses.replace(self, **overrides)
        params.check_consistent()
        return params

    def check_consistent(self) -> None:
        """Values that would silently turn a rule off: a cohort of none, or of more than the
        largest allowed, and a daily cap that refuses every payment to a resident."""
        if not 1 <= self.min_cohort <= self.max_cohort:
            raise GenesisError(f"params: need 1 <= min_cohort ({self.min_cohort}) <= max_cohort "
                               f"({self.max_cohort})")
        if self.resident_daily_cap_micro < 1:
            raise GenesisError("params.resident_daily_cap_micro must be at least 1 µBD")

    def compute_daily_cap(self, residents: int = REFERENCE_RESIDENTS) -> int:
        """One day of era-0 emission shared by `residents`: the default cap on what a resident
        receives from businesses a day, so a relay through businesses moves no more per
        accomplice and day than an average resident earns (2.7 BD at 100,000 residents)."""
        return self.emission_rate_micro_per_second * MILLIS_PER_DAY // 1_000 // residents

    def to_json(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
