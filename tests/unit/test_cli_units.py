"""What people read on the command line: BD with six decimals, spans as people say them,
instants on the deployment's clock rather than this machine's."""

from __future__ import annotations

import pytest

from planet.cli.units import deployment_zone, format_bd, format_duration, format_instant
from planet.cli.view import Human, short_address

HOUR = 3_600_000


@pytest.mark.parametrize(("ms", "text"), [
    (0, "0 ms"), (250, "250 ms"), (45_000, "45 s"), (12 * 60_000 + 59_999, "12 min"),
    (47 * HOUR + 45 * 60_000 + 30_000, "47 h 45 min"), (48 * HOUR, "48 h"),
    (6 * 24 * HOUR + 4 * HOUR + 59 * 60_000, "6 d 4 h"), (30 * 24 * HOUR, "30 d"),
    (-90_000, "-1 min"),
])
def test_durations_round_down_to_the_unit_shown(ms: int, text: str) -> None:
    assert format_duration(ms) == text


def test_bd_has_six_decimals_and_thousands() -> None:
    assert format_bd(463_756_128_443) == "463,756.128443 BD"
    assert format_bd(5) == "0.000005 BD"


def test_instants_are_on_the_deployments_clock() -> None:
    ms = 1_796_106_590_000  # 2026-12-01 06:29:50 UTC
    assert format_instant(ms, deployment_zone("+08:00")) == "2026-12-01 14:29 +08:00"
    assert format_instant(ms, deployment_zone("-05:30"), seconds=True) == \
        "2026-12-01 00:59:50 -05:30"
    assert format_instant(ms, deployment_zone("+00:00"), offset=False) == "2026-12-01 06:29"


def test_a_record_reads_by_the_apis_naming() -> None:
    human = Human(zone=deployment_zone("+08:00"))
    shown = human.record({"balance_micro": 463_756_128_443, "last_collect_at": 1_796_106_590_000,
                          "dormant_in_ms": 47 * HOUR + 45 * 60_000, "dormant": False,
                          "expires_at": 0, "rate_micro_per_second": 3_125_000,
                          "access_until": 1_796_106_590_000, "winners": []},
                         bd=())
    assert shown == {"balance": "463,756.128443 BD", "last collect at": "2026-12-01 14:29 +08:00",
                     "dormant in": "47 h 45 min", "dormant": "no", "expires at": "never",
                     "rate": "3.125000 BD/s", "access until": "2026-12-01 14:29 +08:00",
                     "winners": "—"}
    assert human.record({"prize_each": 1_500_000}, bd=("prize_each",)) == {
        "prize each": "1.500000 BD"}


def test_short_addresses_keep_both_ends() -> None:
    address = "planet1dnkzty4kqrsn4c96cf3kdrtc9dlx4d95w5ln8x"
    assert short_address(address) == "planet1dnk…ln8x"
    assert short_address("operator") == "operator"
