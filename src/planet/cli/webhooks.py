"""`planet business webhooks add|list|remove|deliveries|redeliver`: a business's signed
webhooks on a node (every request signed by its key; planet.sdk.webhooks), and
`planet bench webhooks`."""

from __future__ import annotations

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
    console,
    emit,
    errors,
    load_wallet,
    node_url,
)
from planet.cli.view import rows_table
from planet.sdk.webhooks import EVENT_TYPES, WebhooksClient

webhooks_app = typer.Typer(help="Signed webhooks: your server hears of events that concern "
                                "your business.", no_args_is_help=True)


def _client(key: str, keyring: Path | None, home: Path, node: str | None) -> WebhooksClient:
    return WebhooksClient(node_url(home, node), load_wallet(key, keyring, home))


@webhooks_app.command("add")
def webhooks_add(url: Annotated[str, typer.Argument(help="Where to POST deliveries (https://…).")],
                 key: KeyOpt,
                 events: Annotated[str, typer.Option(
                     help=f"Comma-separated, among: {', '.join(EVENT_TYPES)}; or 'all'.")] = "all",
                 node: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
                 home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """Add an endpoint. Its secret is printed this once: keep it to check signatures."""
    chosen = list(EVENT_TYPES) if events.strip() == "all" else [
        e.strip() for e in events.split(",") if e.strip()]
    with errors(as_json):
        made = _client(key, keyring, home, node).add(url, chosen)
    emit(made, as_json, title="Webhook added: keep the secret, it is not shown again")


@webhooks_app.command("list")
def webhooks_list(key: KeyOpt, node: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
                  home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """Your endpoints on this node (without their secrets)."""
    with errors(as_json):
        items = _client(key, keyring, home, node).endpoints()
    if as_json or not items:
        emit({"webhooks": items} if as_json else "no webhooks", as_json)
        return
    console.print(rows_table(items, [("id", lambda e: e["id"]), ("url", lambda e: e["url"]),
                                     ("events", lambda e: ", ".join(e["events"]))],
                             "Webhooks", wrap=("url", "events")))


@webhooks_app.command("remove")
def webhooks_remove(endpoint: Annotated[str, typer.Argument(help="The endpoint's id (wh_…).")],
                    key: KeyOpt, node: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
                    home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """Remove an endpoint and its delivery log; nothing more is sent to it."""
    with errors(as_json):
        emit(_client(key, keyring, home, node).remove(endpoint), as_json,
             title="Webhook removed")


@webhooks_app.command("deliveries")
def webhooks_deliveries(key: KeyOpt,
                        endpoint: Annotated[str | None, typer.Option(
                            help="Only this endpoint's (default: all of yours).")] = None,
                        limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
                        node: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
                        home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """The delivery log, newest first: status, attempts, last error, response code."""
    with errors(as_json):
        items = _client(key, keyring, home, node).deliveries(endpoint, limit)
    if as_json or not items:
        emit({"deliveries": items} if as_json else "no deliveries", as_json)
        return
    console.print(rows_table(items, [
        ("id", lambda d: str(d["id"])), ("event", lambda d: d["event_id"]),
        ("type", lambda d: d["type"]), ("status", lambda d: d["status"]),
        ("tries", lambda d: str(d["attempts"])),
        ("code", lambda d: "" if d["response_code"] is None else str(d["response_code"])),
        ("last error", lambda d: d["last_error"] or "")], "Deliveries", wrap=("last error",)))


@webhooks_app.command("redeliver")
def webhooks_redeliver(delivery: Annotated[int, typer.Argument(help="The delivery's id.")],
                       key: KeyOpt, node: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
                       home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """Send a delivery again now (same event id and body), with a fresh round of attempts."""
    with errors(as_json):
        emit(_client(key, keyring, home, node).redeliver(delivery), as_json,
             title="Queued for delivery")


def bench_webhooks(events: Annotated[int, typer.Option(help="Events to deliver.")] = 5_000,
                   endpoints: Annotated[int, typer.Option(help="Businesses, one endpoint "
                                                                 "each.")] = 20,
                   as_json: JsonOpt = False) -> None:
    """Webhook delivery on loopback: events per second, and p50/p99 from a block's commit
    to the receiver's 200."""
    from planet.bench.webhooks import run_webhooks_bench

    emit(run_webhooks_bench(events=events, endpoints=endpoints, progress=not as_json), as_json,
         title="Webhooks benchmark")
