"""Coverage-guided fuzzing (atheris, libFuzzer) over the Hypothesis strategies of
tests/property/test_fuzz.py: the same targets and the same verdicts, with inputs steered
towards new code paths. atheris is optional and not a project dependency:

    .venv/bin/pip install atheris
    .venv/bin/python -m tests.property.fuzz_atheris tx -atheris_runs=200000
    .venv/bin/python -m tests.property.fuzz_atheris query -max_total_time=600

Targets: `tx` (shaped, mostly signed transactions through check_tx and a block), `bytes`
(any bytes as a transaction), `query` (query paths and arguments), `frames` (the ABCI frame
decoder). Anything after the target is passed to libFuzzer. A failure prints Hypothesis's
reproduction blob and stops, as a failing test would.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import atheris

with atheris.instrument_imports(include=["planet"]):
    from tests.property import test_fuzz

TARGETS: dict[str, Callable[..., Any]] = {
    "tx": test_fuzz.test_the_tx_decoder_and_rules_only_refuse,
    "bytes": test_fuzz.test_any_bytes_as_a_tx_are_only_refused,
    "query": test_fuzz.test_queries_only_refuse,
    "frames": test_fuzz.test_the_frame_decoder_only_refuses_and_reads_one_way,
}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: python -m tests.property.fuzz_atheris {{{','.join(TARGETS)}}} "
                 "[libFuzzer options]")
    target = TARGETS[sys.argv[1]]
    atheris.Setup([sys.argv[0], *sys.argv[2:]], target.hypothesis.fuzz_one_input)  # type: ignore[attr-defined]
    atheris.Fuzz()


if __name__ == "__main__":
    main()
