"""`planet audit relays` (the relay report, read-only) and the operator's
`planet business suspend|lift|suspensions`: what issue 15 gives an operator against a
business that relays diamonds between residents."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from planet.cli.common import (
    DEFAULT_HOME_PATH,
    DEFAULT_NODE,
    HomeOpt,
    JsonOpt,
    KeyOpt,
    KeyringOpt,
    NodeOpt,
    check_address,
    client,
    console,
    emit,
    errors,
    load_wallet,
)
from planet.cli.units import parse_instant
from planet.cli.view import Human, rows_table, short_address
from planet.core.exchange.messages import LiftSuspension, SuspendBusiness

audit_app = typer.Typer(help="Read-only audits of the ledger.", no_args_is_help=True)

BusinessArg = Annotated[str, typer.Argument(callback=check_address, help="The business's address.")]


def percent(bps: int | None) -> str:
    return "paid out, nothing in" if bps is None else f"{bps / 100:.2f} %"


@audit_app.command("relays")
def audit_relays(since: Annotated[str | None, typer.Option(
                     help="From (ISO 8601 or epoch ms); default: 7 days before --until.")] = None,
                 until: Annotated[str | None, typer.Option(
                     help="Until, exclusive (ISO 8601 or epoch ms); default: the last block.")
                 ] = None,
                 node_url: NodeOpt = DEFAULT_NODE, home: HomeOpt = DEFAULT_HOME_PATH,
                 as_json: JsonOpt = False) -> None:
    """Resident → business → resident flows over a window, and businesses ranked by the share
    of what residents paid them that they paid out to residents (from the ledger's events)."""
    with errors(as_json):
        api = client(home, node_url)
        args: dict[str, Any] = {}
        if since is not None:
            args["since"] = parse_instant(since)
        if until is not None:
            args["until"] = parse_instant(until)
        report = api._get("/audit/relays", **args)
    if as_json:
        emit(report, True)
        return
    human = Human(api)
    console.print(f"Relay report from {human.time(report['since'])} to {human.time(report['until'])}")
    console.print(rows_table(report["businesses"], [
        ("business", lambda b: f"{human.name(b['business'])} {short_address(b['business'])}"),
        ("received", lambda b: human.bd(b["received_micro"])),
        ("paid out", lambda b: human.bd(b["paid_out_micro"])),
        ("paid out / received", lambda b: percent(b["payout_bps"])),
        ("payers", lambda b: str(b["payers"])), ("payees", lambda b: str(b["payees"]))],
        "Businesses, most paid back out first"))
    if not report["flows"]:
        console.print("no resident → business → resident flow in this window")
        return
    console.print(rows_table(report["flows"], [
        ("from", lambda f: short_address(f["from"])),
        ("business", lambda f: human.name(f["business"])),
        ("to", lambda f: short_address(f["to"])),
        ("paid in", lambda f: human.bd(f["paid_in_micro"])),
        ("paid out", lambda f: human.bd(f["paid_out_micro"])),
        ("first in", lambda f: human.time(f["first_in"])),
        ("last out", lambda f: human.time(f["last_out"]))],
        f"Flows ({report['flows_total']}, the largest first)"))


def business_suspend(business: BusinessArg,
                     reason: Annotated[str, typer.Option(help="Why, in plain words (on the "
                                                              "ledger for all to read).")],
                     key: KeyOpt = "operator", node_url: NodeOpt = DEFAULT_NODE,
                     keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
                     as_json: JsonOpt = False) -> None:
    """(Operator) Suspend a business: no offers, redemptions, requests, deposits,
    attestations or rewards; its open requests close and their escrow comes back to it."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        outcome = client(home, node_url).send(wallet, SuspendBusiness(business=business,
                                                                      reason=reason))
    closed = [e["attributes"] for e in outcome.events if e["type"] == "exchange/request_closed"]
    emit({"business": business, "suspended": True, "reason": reason,
          "requests_closed": [c["request"] for c in closed],
          "refunded": sum(int(c["refunded"]) for c in closed)}, as_json,
         title="Business suspended", bd=("refunded",))


def business_lift(business: BusinessArg, key: KeyOpt = "operator",
                  node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
                  home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """(Operator) Lift a business's suspension: it may trade again."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        client(home, node_url).send(wallet, LiftSuspension(business=business))
    emit({"business": business, "suspended": False}, as_json, title="Suspension lifted")


def business_suspensions(node_url: NodeOpt = DEFAULT_NODE, home: HomeOpt = DEFAULT_HOME_PATH,
                         as_json: JsonOpt = False) -> None:
    """Every suspended business, since when and why."""
    with errors(as_json):
        api = client(home, node_url)
        items = api.query("exchange/suspensions")["items"]
    if as_json or not items:
        emit({"items": items} if as_json else "no business is suspended", as_json)
        return
    human = Human(api)
    console.print(rows_table(items, [
        ("business", lambda s: f"{human.name(s['business'])} {short_address(s['business'])}"),
        ("since", lambda s: human.time(s["since"])), ("reason", lambda s: s["reason"])],
        "Suspended businesses", wrap=("reason",)))
