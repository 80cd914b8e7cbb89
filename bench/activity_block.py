"""What the block-event table and the activity index cost a 200-transaction block's commit.

One run, one machine: a block of 200 daily check-ins (each emits a `force/granted` naming
its resident, so 200 activity rows) is executed once, then `NodeStore.commit_block` writes it
again and again, alternately into a store that indexes (now) and one whose event writing is
switched off (before), each time at a new height. Prints the median and p90 of each and the
difference per event. Usage: PYTHONPATH=src .venv/bin/python bench/activity_block.py [reps]
"""

from __future__ import annotations

import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

from planet.core.accounts.codes import compute_invite_hash
from planet.core.accounts.messages import CreateInvites, RegisterResident
from planet.core.app import Application
from planet.core.encoding import b64encode, sha256
from planet.core.force.messages import CompleteTask
from planet.core.genesis import parse_genesis
from planet.core.transition import BlockHeader
from planet.core.tx import compute_tx_hash
from planet.engines.blocks import block_records, compute_tx_root
from planet.node.home import make_genesis_document
from planet.sdk.client import new_invite_codes
from planet.sdk.wallet import Wallet
from planet.storage.sqlite import NodeStore

CHAIN = "bench-activity"
TXS = 200
ACTIVITY_READ = True


def build() -> tuple[Application, list[tuple[bytes, bytes]], BlockHeader]:
    operator = Wallet.generate()
    genesis = parse_genesis(make_genesis_document(CHAIN, operator, [],
                                                  genesis_time="2027-01-15T00:00:00Z"))
    app = Application(genesis)
    app.init_chain()
    app.commit()
    t = genesis.genesis_time + 1_000
    codes = new_invite_codes(TXS)
    residents = [Wallet.generate() for _ in codes]
    blocks = [[operator.sign_tx(chain_id=CHAIN, sequence=0, messages=[CreateInvites(
        code_hashes=tuple(compute_invite_hash(c) for c in codes[i:i + 50]))
        for i in range(0, TXS, 50)])],
              [w.sign_tx(chain_id=CHAIN, sequence=0, messages=[RegisterResident(
                  invite_code=c, encryption_key=b64encode(w.encryption_public_key))])
               for w, c in zip(residents, codes, strict=True)]]
    for height, raws in enumerate(blocks, 1):
        result = app.finalize_block(BlockHeader(height, t + height, "bench", sha256(bytes([height]))),
                                    raws)
        assert all(r.ok for r in result.tx_results), {r.log for r in result.tx_results}
        app.commit()
    raws = [w.sign_tx(chain_id=CHAIN, sequence=1, messages=[CompleteTask(task_id="daily_checkin")])
            for w in residents]
    return app, [(compute_tx_hash(r), r) for r in raws], BlockHeader(3, t + 3, "bench",
                                                                     sha256(b"3"))


def main() -> None:
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    app, batch, header = build()
    t0 = time.perf_counter()
    result = app.finalize_block(header, [raw for _h, raw in batch])
    execute_ms = (time.perf_counter() - t0) * 1e3
    assert all(r.ok for r in result.tx_results)
    commit = app.commit()
    block, records = block_records(header, b"\x00" * 32, compute_tx_root([h for h, _ in batch]),
                                   batch, result)
    events = sum(len(r.result["events"]) for r in records) + len(block.events)
    with tempfile.TemporaryDirectory() as tmp:
        now, before = NodeStore(Path(tmp) / "now.db"), NodeStore(Path(tmp) / "before.db")
        before._write_events = lambda *_a: None  # type: ignore[method-assign]
        times: dict[str, list[float]] = {"now": [], "before": []}
        for i in range(reps):
            height = 10 + i
            b = dataclasses.replace(block, height=height, hash=sha256(str(height).encode()))
            recs = [dataclasses.replace(r, height=height) for r in records]
            for name, store in (("now", now), ("before", before)) if i % 2 else (
                    ("before", before), ("now", now)):
                t0 = time.perf_counter()
                store.commit_block(b, recs, commit.writes, commit.nodes)
                times[name].append(time.perf_counter() - t0)
        resident = records[0].result["events"][0]["attributes"]["resident"]
        rows = len(now.activity(resident, 1000)) if ACTIVITY_READ else 0
        now.close()
        before.close()
    warm = {k: v[reps // 4:] for k, v in times.items()}
    med = {k: statistics.median(v) * 1e3 for k, v in warm.items()}
    low = {k: statistics.quantiles(v, n=10)[0] * 1e3 for k, v in warm.items()}
    p90 = {k: statistics.quantiles(v, n=10)[-1] * 1e3 for k, v in warm.items()}
    print(f"{TXS}-tx block, {events} events, {len(commit.writes)} state writes, {reps} commits "
          f"each (first quarter dropped as warm-up); activity rows per resident: {rows}; "
          f"executing the block (finalize_block, signatures included) took {execute_ms:.0f} ms")
    for k in ("before", "now"):
        print(f"  commit_block {k:>6}: p10 {low[k]:.2f} ms, median {med[k]:.2f} ms, "
              f"p90 {p90[k]:.2f} ms")
    for label, d in (("p10", low), ("median", med)):
        diff = d["now"] - d["before"]
        print(f"  difference ({label}): {diff:+.2f} ms per block, "
              f"{diff * 1e3 / max(events, 1):+.1f} µs per event")


if __name__ == "__main__":
    main()
