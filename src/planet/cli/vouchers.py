"""`planet shop vouchers`: a business loads voucher codes per offer and fulfils pending
redemptions with them, here, where its key is (the codes never reach the node in clear)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from planet.cli.common import (
    DEFAULT_HOME_PATH,
    DEFAULT_NODE,
    HomeOpt,
    JsonOpt,
    KeyOpt,
    KeyringOpt,
    NodeOpt,
    client,
    console,
    emit,
    err_console,
    errors,
    load_wallet,
)
from planet.sdk.client import NodeError
from planet.sdk.vouchers import RunReport, VoucherFulfiller, default_state_path

vouchers_app = typer.Typer(help="(Business) Voucher codes per offer, fulfilled automatically, "
                                "one code per redemption, sealed to the resident.",
                           no_args_is_help=True)

StateOpt = Annotated[Path | None, typer.Option(
    "--state", help="The codes and where they stand (default: HOME/vouchers/ADDRESS.json, "
                    "kept 0600).")]


def fulfiller(key: str, keyring: Path | None, home: Path, node_url: str | None,
              state: Path | None) -> VoucherFulfiller:
    wallet = load_wallet(key, keyring, home)
    return VoucherFulfiller(client(home, node_url), wallet,
                            state or default_state_path(home, wallet.address))


@vouchers_app.command("load")
def vouchers_load(offer_id: int, csv_file: Annotated[Path, typer.Argument(
                      exists=True, dir_okay=False, help="One code per row; a header is optional.")],
                  key: KeyOpt, state: StateOpt = None, node_url: NodeOpt = DEFAULT_NODE,
                  keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
                  as_json: JsonOpt = False) -> None:
    """Add a CSV of codes to an offer; the whole file is refused, with the row, if a row is
    blank or repeats a code."""
    with errors(as_json):
        f = fulfiller(key, keyring, home, node_url, state)
        loaded = f.load(offer_id, csv_file)
        out = {"loaded": loaded, **f.status(offer_id)}
    emit(out, as_json, title=f"Codes loaded for offer {offer_id}")


@vouchers_app.command("status")
def vouchers_status(offer_id: int, key: KeyOpt, state: StateOpt = None,
                    node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
                    home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """Codes loaded, used and left for an offer."""
    with errors(as_json):
        out = fulfiller(key, keyring, home, node_url, state).status(offer_id)
    emit(out, as_json, title=f"Vouchers of offer {offer_id}")


def say(report: RunReport) -> None:
    for redemption, offer in report.fulfilled:
        console.print(f"fulfilled redemption {redemption} (offer {offer})")
    for redemption in report.settled_elsewhere:
        console.print(f"redemption {redemption} was settled meanwhile; its code stays unused "
                      "by anyone else")
    for offer, pending in sorted(report.out_of_codes.items()):
        err_console.print(f"[bold yellow]offer {offer} is out of codes:[/] {pending} "
                          f"redemption(s) wait; load more with `planet shop vouchers load "
                          f"{offer} FILE`")


@vouchers_app.command("run")
def vouchers_run(key: KeyOpt,
                 once: Annotated[bool, typer.Option("--once", help="One pass, then exit.")] = False,
                 interval: Annotated[float, typer.Option(min=0.2, help="Seconds between polls.")]
                 = 5.0,
                 state: StateOpt = None, node_url: NodeOpt = DEFAULT_NODE,
                 keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
                 as_json: JsonOpt = False) -> None:
    """Poll pending redemptions and fulfil those of offers with codes, the next code each.
    An offer out of codes is reported and its redemptions stay pending; without --once, a
    node that is down or failing is waited for."""
    with errors(as_json):
        f = fulfiller(key, keyring, home, node_url, state)
        while True:
            try:
                report = f.run_once()
            except NodeError as err:
                if once or not (err.status == 0 or err.status >= 500):
                    raise
                err_console.print(f"[bold yellow]node unavailable, retrying:[/] {err.message}")
                time.sleep(interval)
                continue
            if as_json:
                emit(report.to_json(), True)
            else:
                say(report)
            if once:
                return
            time.sleep(interval)
