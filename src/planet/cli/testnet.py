"""`planet testnet up|down|status|join`: a local consortium network of CometBFT validators,
and nodes that join it later (by state sync)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from planet.cli.common import JsonOpt, console, err_console, fail
from planet.engines import psql_index
from planet.testnet.network import (
    DEFAULT_BASE_PORT,
    DEFAULT_CHAIN_ID,
    DEFAULT_DIR,
    Testnet,
    TestnetError,
    up,
)

testnet_app = typer.Typer(
    help="A local network of CometBFT validators on loopback (consortium mode).",
    no_args_is_help=True)

DirOpt = Annotated[Path, typer.Option("--dir", help="The network's folder.")]


def _short(value: Any, n: int = 16) -> str:
    return "—" if value in (None, "") else (str(value)[:n] + "…" if len(str(value)) > n
                                            else str(value))


def _table(rows: list[dict[str, Any]], title: str) -> Table:
    table = Table(title=title)
    for col in ("validator", "CometBFT height", "app height", "app hash after it",
                "processes"):
        table.add_column(col)
    for r in rows:
        procs = "[green]both[/]" if r["app_pid"] and r["cometbft_pid"] else (
            "[yellow]app only[/]" if r["app_pid"] else
            "[yellow]cometbft only[/]" if r["cometbft_pid"] else "[red]stopped[/]")
        table.add_row(r["validator"], _short(r["height"]), _short(r["app_height"]),
                      _short(r["app_hash"]), procs)
    return table


def _show(rows: list[dict[str, Any]], title: str) -> None:
    console.print(_table(rows, title))
    for r in rows:
        console.print(f"{r['validator']}  API [cyan]{r['api_url']}[/]  "
                      f"RPC [cyan]{r['rpc_url']}[/]", soft_wrap=True)


@testnet_app.command("up")
def testnet_up(
        validators: Annotated[int, typer.Option(min=1, max=16, help="Validators.")] = 4,
        folder: DirOpt = DEFAULT_DIR,
        base_port: Annotated[int, typer.Option(
            min=1024, max=65000,
            help="Validator I listens on base+10I (p2p), +1 (CometBFT RPC), +2 (ABCI), "
                 "+3 (Planet API).")] = DEFAULT_BASE_PORT,
        chain_id: Annotated[str, typer.Option(help="Chain id (new networks).")]
        = DEFAULT_CHAIN_ID,
        preset: Annotated[str, typer.Option(help="production or test.")] = "production",
        psql: Annotated[str | None, typer.Option(
            "--psql", metavar="URL",
            help="Index blocks and tx events into this PostgreSQL database with CometBFT's "
                 "psql indexer (new networks; all validators share it), e.g. "
                 "postgresql://user:pw@127.0.0.1:5432/index?sslmode=disable")] = None,
        as_json: JsonOpt = False) -> None:
    """Create the network (if the folder holds none) and start every validator's CometBFT
    and app processes in the background; return once all are at height 2.

    With --psql URL, CometBFT's PostgreSQL event indexer is on: its tables are created in
    that database (schema from the Go module cache of cometbft v0.38.25) and every
    validator writes its blocks and tx events there; CometBFT's /tx and /tx_search are then
    off (Planet does not use them)."""
    say = (lambda _m: None) if as_json else (lambda m: err_console.print(f"[dim]{m}[/]"))
    try:
        net = up(folder, validators, base_port, chain_id, preset, say, psql_url=psql)
    except (TestnetError, FileExistsError, KeyError) as err:
        fail(str(err), as_json=as_json)
    rows = net.status()
    if as_json:
        print(json.dumps({"dir": str(folder), "chain_id": net.chain_id, "validators": rows}))
        return
    _show(rows, f"Testnet {net.chain_id} is up ({folder})")
    console.print(f"operator key: {net.validators[0].home / 'keys' / 'operator.json'}")
    console.print(f"use it: [cyan]planet status --node {net.validators[0].api_url}[/]",
                  soft_wrap=True)
    console.print(f"stop it: [cyan]planet testnet down --dir {folder}[/]", soft_wrap=True)


@testnet_app.command("join")
def testnet_join(
        folder: DirOpt = DEFAULT_DIR,
        statesync: Annotated[bool, typer.Option(
            "--statesync/--replay",
            help="Restore the validators' latest state-sync snapshot (default), or replay "
                 "every block from genesis.")] = True,
        timeout: Annotated[float, typer.Option(
            min=1, help="Seconds to wait until the node agrees with the validators.")] = 180.0,
        as_json: JsonOpt = False) -> None:
    """Add a node (not a validator) to a running network and wait until it has caught up:
    its app holds the validators' app hash at a common height above their height when it
    started. By state sync the node restores the newest
    snapshot the validators took (every snapshot_interval blocks, config.json) after
    CometBFT's light client checked its app hash against two validators' RPCs; its blocks
    start after the snapshot."""
    say: Callable[[str], None] = ((lambda _m: None) if as_json
                                  else (lambda m: err_console.print(f"[dim]{m}[/]")))
    try:
        net = Testnet.load(folder)
        running = net.running_validators()
        if not running:
            raise TestnetError("no validator is running: `planet testnet up` first")
        start = time.monotonic()
        head = net.app_height(running[0])
        node = net.join(statesync=statesync)
        say(f"{node.name} started ({'state sync' if statesync else 'replaying every block'});"
            f" waiting until its app agrees with the validators above height {head}")
        height = net.wait_agree(node, running[0], timeout, above=head)
        seconds = time.monotonic() - start
    except (TestnetError, FileExistsError, KeyError, OSError) as err:
        fail(str(err), as_json=as_json)
    block = net.app_block(node, height) or {}
    out = {"node": node.name, "api_url": node.api_url, "rpc_url": node.rpc_url,
           "state_synced_from": net.synced_from(node), "height": height,
           "app_hash": block.get("app_hash"), "seconds": round(seconds, 2)}
    if as_json:
        print(json.dumps(out))
        return
    synced = out["state_synced_from"]
    how = (f"restored the snapshot at height {synced}" if synced is not None
           else "replayed every block")
    console.print(f"{node.name} {how}; agrees with {running[0].name} at height {height} "
                  f"(app hash {_short(out['app_hash'])}) after {seconds:.1f} s")
    console.print(f"{node.name}  API [cyan]{node.api_url}[/]  RPC [cyan]{node.rpc_url}[/]",
                  soft_wrap=True)


@testnet_app.command("psql")
def testnet_psql(
        url: Annotated[str, typer.Argument(help="The index database, e.g. postgresql://"
                                                "user:pw@host:5432/index?sslmode=disable")],
        cometbft_home: Annotated[Path | None, typer.Option(
            help="Also set [tx_index] indexer = \"psql\" and psql-conn = URL in this "
                 "CometBFT home's config/config.toml (a real validator's H/cometbft).")]
        = None,
        as_json: JsonOpt = False) -> None:
    """Create CometBFT's psql indexer tables in URL's database (if absent), for a real
    validator; with --cometbft-home, also point that node's indexer at it."""
    try:
        if cometbft_home is not None:
            created = psql_index.enable(cometbft_home, url)
        else:
            created = psql_index.install_schema(url)
    except (psql_index.PsqlIndexError, OSError, KeyError) as err:
        fail(str(err), as_json=as_json)
    if as_json:
        print(json.dumps({"schema_created": created,
                          "config": str(cometbft_home) if cometbft_home else None}))
        return
    console.print("indexer tables created" if created else "indexer tables already there")
    if cometbft_home is not None:
        console.print(f"{cometbft_home}/config/config.toml: indexer = \"psql\" (restart "
                      "cometbft to apply)")


@testnet_app.command("down")
def testnet_down(folder: DirOpt = DEFAULT_DIR,
                 grace: Annotated[float, typer.Option(
                     min=0, help="Seconds between SIGTERM and SIGKILL.")] = 10.0,
                 as_json: JsonOpt = False) -> None:
    """Stop every validator's processes (SIGTERM, then SIGKILL). Files are kept."""
    try:
        net = Testnet.load(folder)
    except TestnetError as err:
        fail(str(err), as_json=as_json)
    running = [v.name for v in net.validators
               if net.pid(v, "app") is not None or net.pid(v, "cometbft") is not None]
    net.stop(grace=grace)
    if as_json:
        print(json.dumps({"dir": str(folder), "stopped": running}))
    else:
        console.print(f"stopped {', '.join(running) if running else 'nothing (none running)'}"
                      f"; the network's files stay in {folder}")


@testnet_app.command("status")
def testnet_status(folder: DirOpt = DEFAULT_DIR, as_json: JsonOpt = False) -> None:
    """Height and app hash of each validator (CometBFT's and its app's)."""
    try:
        net = Testnet.load(folder)
    except TestnetError as err:
        fail(str(err), as_json=as_json)
    rows = net.status()
    if as_json:
        print(json.dumps({"dir": str(folder), "chain_id": net.chain_id, "validators": rows}))
    else:
        _show(rows, f"Testnet {net.chain_id} ({folder})")
