"""`planet bench vault` at toy sizes: the JSON shape, positive figures and the right number
of grants (no timing assertions: those belong to the real run)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from planet.bench import vault
from planet.cli.main import app
from planet.storage.blobs import PostgresBlobStore
from tests.pg import PostgresServer

FIGURE_KEYS = {"mib_per_s", "samples_mib_per_s", "ms_median"}
BACKEND_FIGURES = {"api_upload", "api_download", "store_put", "store_get"}
RATIOS = {"upload_vs_copy_fsync", "upload_vs_copy_no_fsync", "download_vs_copy_no_fsync",
          "store_put_vs_copy_fsync", "store_get_vs_copy_no_fsync", "upload_vs_store_put",
          "download_vs_store_get"}
GRANT_KEYS = {"grants", "records", "residents", "total_s", "grants_per_s", "records_per_s",
              "reseal_s", "sign_s", "ledger_s", "latency_ms_p50", "latency_ms_p99", "blocks",
              "split"}


def check_figure(figure: dict[str, Any], repeat: int) -> None:
    assert set(figure) == FIGURE_KEYS
    assert len(figure["samples_mib_per_s"]) == repeat
    assert figure["mib_per_s"] > 0 and figure["ms_median"] > 0
    assert all(s > 0 for s in figure["samples_mib_per_s"])


def check_result(out: dict[str, Any], *, sizes: list[int], repeat: int, records: int,
                 backends: tuple[str, ...]) -> None:
    assert out["benchmark"] == "vault"
    assert {"cores", "cpu", "python"} <= set(out["machine"])
    assert out["filesystem"]["type"]
    assert out["settings"]["plaintext_sizes"] == sizes
    assert out["baseline"]["ed25519_verify_per_s_1_thread"] > 0
    assert out["notes"] and out["wall_s"] > 0
    assert [b["plaintext_bytes"] for b in out["blobs"]] == sizes
    for entry in out["blobs"]:
        assert entry["blob_bytes"] == entry["plaintext_bytes"] + vault.ENVELOPE_BYTES
        for name in ("copy_no_fsync", "copy_fsync", "seal", "open"):
            check_figure(entry[name], repeat)
        assert set(entry["ratios"]) == set(backends)
        for backend in backends:
            assert set(entry[backend]) == BACKEND_FIGURES
            for figure in entry[backend].values():
                check_figure(figure, repeat)
            assert set(entry["ratios"][backend]) == RATIOS
            assert all(r > 0 for r in entry["ratios"][backend].values())
    one, batched = out["grants"]["one_record_each"], out["grants"]["batched"]
    for g in (one, batched):
        assert set(g) >= GRANT_KEYS
        assert g["records"] == records
        assert g["total_s"] > 0 and g["ledger_s"] > 0 and g["reseal_s"] > 0
        assert g["submit_s"] > 0
        assert g["blocks"] >= 1
        # each phase is reported to 4 significant digits (bench.common.sig)
        assert g["total_s"] == pytest.approx(g["reseal_s"] + g["sign_s"] + g["ledger_s"],
                                             rel=2e-3)
    assert one["grants"] == one["residents"] == records
    assert one["records_per_grant_max"] == 1
    assert batched["residents"] == 1
    assert batched["grants"] == -(-records // vault.GRANT_BATCH)
    assert batched["records_per_grant_max"] == min(records, vault.GRANT_BATCH)


def test_vault_bench_json_shape_and_grant_counts() -> None:
    out = vault.run_vault_bench(64 / 1024, repeat=2, records=70)
    check_result(out, sizes=[64 * 1024], repeat=2, records=70, backends=("files",))
    assert out["grants"]["batched"]["grants"] == 2  # 64 + 6 records
    json.dumps(out)  # all of it serialises
    console = Console(record=True, width=160)
    for table in vault.vault_tables(out):
        console.print(table)
    text = console.export_text()
    assert "API upload (files)" in text and "file copy + fsync" in text


@pytest.mark.slow
def test_vault_bench_with_postgresql_and_through_the_cli(postgres: PostgresServer) -> None:
    store = PostgresBlobStore(postgres.url)
    before = set(store.digests())  # the server is shared: other tests' blobs may be there
    result = CliRunner().invoke(app, ["bench", "vault", "--json", "--size-mb", "0.125",
                                      "--repeat", "1", "--records", "3",
                                      "--postgres", postgres.url])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    check_result(out, sizes=[64 * 1024, 128 * 1024], repeat=1, records=3,
                 backends=("files", "postgresql"))
    assert postgres.url not in result.stdout  # a URL may hold a password
    try:
        assert set(store.digests()) == before  # what the benchmark stored it deleted
    finally:
        store.close()


def test_blob_sizes_and_bad_arguments() -> None:
    assert vault.blob_sizes(1.0) == [64 * 1024, 1 << 20]
    assert vault.blob_sizes(64 / 1024) == [64 * 1024]
    with pytest.raises(ValueError, match="at least 1"):
        vault.run_vault_bench(repeat=0)
    with pytest.raises(ValueError, match="batch 1 to 64"):
        vault.run_vault_bench(batch=65)
