"""`planet requests` (data requests and grants) and `planet shop` (offers and redemptions),
for residents and businesses alike: the key you sign with says which you are."""

from __future__ import annotations

from pathlib import Path
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
    client,
    console,
    emit,
    errors,
    load_wallet,
)
from planet.cli.units import format_bd, format_instant, parse_bd, parse_duration, parse_instant
from planet.core.exchange.messages import (
    CloseRequest,
    CreateOffer,
    CreateRequest,
    RedeemOffer,
    RefundRedemption,
    RevokeGrant,
)
from planet.sdk import vault as sdk_vault

requests_app = typer.Typer(help="Data requests: see what is asked, grant chosen records, revoke; "
                                "businesses post requests and read what was granted.",
                           no_args_is_help=True)
shop_app = typer.Typer(help="Offers residents redeem with diamonds, and their vouchers.",
                       no_args_is_help=True)


def _request_row(r: dict[str, Any]) -> dict[str, Any]:
    return {"id": r["id"], "business": r["business"], "categories": ", ".join(r["categories"]),
            "purpose": r["purpose"], "reward": format_bd(r["reward"]),
            "places left": r["places_left"], "expires": format_instant(r["expires_at"]),
            "status": r["status"]}


# --- data requests --------------------------------------------------------------------------


@requests_app.command("list")
def requests_list(all_: Annotated[bool, typer.Option("--all", help="Include closed ones.")] = False,
                  business: Annotated[str | None, typer.Option(help="Only this business's.")]
                  = None, node_url: NodeOpt = DEFAULT_NODE, as_json: JsonOpt = False) -> None:
    """Open data requests (newest first)."""
    with errors(as_json):
        args: dict[str, Any] = {"limit": 100}
        if not all_:
            args["open"] = "true"
        if business:
            args["business"] = business
        page = client(node_url).query("exchange/requests", **args)
    emit(page if as_json else ([_request_row(r) for r in page["items"]] or "no requests"),
         as_json, title="Data requests")


@requests_app.command("show")
def requests_show(request_id: int, key: KeyOpt, node_url: NodeOpt = DEFAULT_NODE,
                  keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
                  as_json: JsonOpt = False) -> None:
    """A request and exactly which of your records it would receive if you accept."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        data = client(node_url).query("exchange/eligible", request=request_id,
                                      owner=wallet.address)
    if as_json:
        emit(data, True)
        return
    r = data["request"]
    emit({"business": r["business"], "purpose": r["purpose"],
          "categories": ", ".join(r["categories"]),
          "period": f"{format_instant(r['period_start'])} – {format_instant(r['period_end'])}",
          "reward": format_bd(r["reward"]), "access for": f"{r['access_ms'] // 3_600_000} h",
          "places left": r["places_left"], "expires": format_instant(r["expires_at"])},
         False, title=f"Request {request_id}")
    rows = [{"digest": x["digest"], "category": x["category"], "time": format_instant(x["time"]),
             "bytes": x["size"]} for x in data["records"]]
    emit(rows or "none of your records match", False, title="Your records it would receive")


@requests_app.command("accept")
def requests_accept(request_id: int, key: KeyOpt,
                    record: Annotated[list[str] | None, typer.Option(
                        "--record", "-r", help="A record to share (repeat); default: every "
                                               "record `requests show` lists.")] = None,
                    node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
                    home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """Grant the business your chosen records (keys resealed here) and be paid."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        api = client(node_url)
        digests = record or [x["digest"] for x in api.query(
            "exchange/eligible", request=request_id, owner=wallet.address)["records"]]
        if not digests:
            raise ValueError(f"none of your records match request {request_id}")
        outcome = sdk_vault.accept_request(api, wallet, request_id, digests)
    granted = next(e["attributes"] for e in outcome.events if e["type"] == "exchange/granted")
    emit({"request": request_id, "records": len(digests), "paid": format_bd(granted["paid"]),
          "access_until": format_instant(granted["access_until"])}, as_json, title="Granted")


@requests_app.command("revoke")
def requests_revoke(request_id: int, key: KeyOpt, node_url: NodeOpt = DEFAULT_NODE,
                    keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
                    as_json: JsonOpt = False) -> None:
    """End your grant on a request now."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        outcome = client(node_url).send(wallet, RevokeGrant(request=request_id))
    emit({"request": request_id, "revoked_at_height": outcome.height}, as_json,
         title="Grant revoked")


@requests_app.command("grants")
def requests_grants(key: KeyOpt, node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
                    home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """Your grants: to whom, for what purpose, which records, until when."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        grants = sdk_vault.iter_pages(client(node_url), "exchange/grants", resident=wallet.address)
    emit(grants if as_json else [
        {"request": g["request"], "business": g["business"], "purpose": g["purpose"],
         "records": sum(1 for x in g["records"] if x["live"]), "state": g["state"],
         "until": format_instant(g["access_until"])} for g in grants] or "no grants",
         as_json, title="Your grants")


@requests_app.command("create")
def requests_create(
    key: KeyOpt,
    categories: Annotated[str, typer.Option(help="Comma-separated, e.g. travel,shopping.")],
    purpose: Annotated[str, typer.Option(help="What the data is for, in plain words.")],
    reward: Annotated[str, typer.Option(help="BD paid to each resident who grants.")],
    residents: Annotated[int, typer.Option(min=1, help="How many residents.")],
    period_start: Annotated[str, typer.Option(help="Records from (ISO 8601 or ms).")] = "0",
    period_end: Annotated[str | None, typer.Option(help="Records until (default: now).")] = None,
    expires_in: Annotated[str, typer.Option(help="Open for, e.g. 7d.")] = "7d",
    access: Annotated[str, typer.Option(help="Each grant's access period, e.g. 30d.")] = "30d",
    node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
    home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False,
) -> None:
    """(Business) Post a data request; reward × residents is escrowed from your diamonds."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        api = client(node_url)
        chain_time = int(api.status()["time"])
        outcome = api.send(wallet, CreateRequest(
            categories=tuple(c.strip() for c in categories.split(",") if c.strip()),
            period_start=parse_instant(period_start), period_end=parse_instant(period_end),
            purpose=purpose, reward=parse_bd(reward), residents=residents,
            expires_at=chain_time + parse_duration(expires_in), access_ms=parse_duration(access)))
    created = next(e["attributes"] for e in outcome.events
                   if e["type"] == "exchange/request_created")
    emit({"request": created["request"], "escrowed": format_bd(created["escrowed"])}, as_json,
         title="Data request posted")


@requests_app.command("close")
def requests_close(request_id: int, key: KeyOpt, node_url: NodeOpt = DEFAULT_NODE,
                   keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
                   as_json: JsonOpt = False) -> None:
    """(Business) Close a request early; the escrow left comes back."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        outcome = client(node_url).send(wallet, CloseRequest(request=request_id))
    closed = next(e["attributes"] for e in outcome.events if e["type"] == "exchange/request_closed")
    emit({"request": request_id, "refunded": format_bd(closed["refunded"])}, as_json,
         title="Request closed")


@requests_app.command("fetch")
def requests_fetch(request_id: int, key: KeyOpt,
                   out: Annotated[Path | None, typer.Option(help="Write each record to "
                                                                 "DIR/<digest>.")] = None,
                   node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
                   home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """(Business) Download and decrypt, here, every record still granted on a request."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        granted = sdk_vault.read_granted(client(node_url), wallet, request_id)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for g in granted:
            (out / g.digest).write_bytes(g.plaintext)
    rows = [{"resident": g.resident, "digest": g.digest, "category": g.category,
             "plaintext": g.plaintext.decode("utf-8", errors="replace")} for g in granted]
    if as_json or out is not None:
        emit({"request": request_id, "records": rows if out is None else len(rows),
              **({"written_to": str(out)} if out else {})}, as_json)
        return
    for row in rows:
        console.print(f"[bold]{row['category']}[/] from {row['resident']} ({row['digest'][:12]}…)")
        console.print(row["plaintext"], markup=False, highlight=False)
    if not rows:
        console.print("no records are granted on this request now")


# --- shop -----------------------------------------------------------------------------------


@shop_app.command("list")
def shop_list(all_: Annotated[bool, typer.Option("--all", help="Include offers not on sale.")]
              = False, node_url: NodeOpt = DEFAULT_NODE, as_json: JsonOpt = False) -> None:
    """Offers on sale now."""
    with errors(as_json):
        page = client(node_url).query("exchange/offers", **({} if all_ else {"on_sale": "true"}))
    emit(page if as_json else [
        {"id": o["id"], "item": o["item"], "price": format_bd(o["price"]), "left": o["left"],
         "min Force": o["min_force"], "per day": o["daily_limit"] or "-",
         "ends": format_instant(o["ends_at"])} for o in page["items"]] or "nothing on sale",
         as_json, title="Shop")


@shop_app.command("redeem")
def shop_redeem(offer_id: int, key: KeyOpt, node_url: NodeOpt = DEFAULT_NODE,
                keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
                as_json: JsonOpt = False) -> None:
    """Redeem an offer with your diamonds; the business then sends a sealed voucher."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        outcome = client(node_url).send(wallet, RedeemOffer(offer=offer_id))
    done = next(e["attributes"] for e in outcome.events if e["type"] == "exchange/redeemed")
    emit({"redemption": done["redemption"], "offer": offer_id, "paid": format_bd(done["price"])},
         as_json, title="Redeemed")


@shop_app.command("offer")
def shop_offer(key: KeyOpt, item: Annotated[str, typer.Option(help="What is sold.")],
               price: Annotated[str, typer.Option(help="Price in BD.")],
               stock: Annotated[int, typer.Option(min=1)],
               starts: Annotated[str | None, typer.Option(help="Sale opens (default now).")] = None,
               lasts: Annotated[str, typer.Option(help="Sale length, e.g. 2h or 7d.")] = "7d",
               min_force: Annotated[int, typer.Option(min=0)] = 0,
               daily_limit: Annotated[int, typer.Option(min=0, help="Per resident per day; "
                                                                    "0: no limit.")] = 0,
               node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
               home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """(Business) List an item for diamonds: a timed sale, optionally gated by Force."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        api = client(node_url)
        start = int(api.status()["time"]) if starts is None else parse_instant(starts)
        outcome = api.send(wallet, CreateOffer(
            item=item, price=parse_bd(price), stock=stock, starts_at=start,
            ends_at=start + parse_duration(lasts), min_force=min_force, daily_limit=daily_limit))
    created = next(e["attributes"] for e in outcome.events if e["type"] == "exchange/offer_created")
    emit({"offer": created["offer"], "item": item}, as_json, title="Offer listed")


@shop_app.command("redemptions")
def shop_redemptions(key: KeyOpt,
                     pending: Annotated[bool, typer.Option(help="Only those to fulfil.")] = False,
                     node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
                     home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """Your redemptions (a resident's purchases, or a business's orders)."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        args: dict[str, Any] = {"address": wallet.address}
        if pending:
            args["pending"] = "true"
        page = client(node_url).query("exchange/redemptions", **args)
    emit(page if as_json else [
        {"id": r["id"], "item": r["item"], "price": format_bd(r["price"]),
         "resident": r["resident"], "status": r["status"],
         "when": format_instant(r["redeemed_at"])} for r in page["items"]] or "none",
         as_json, title="Redemptions")


@shop_app.command("fulfil")
def shop_fulfil(redemption_id: int, key: KeyOpt,
                voucher: Annotated[str, typer.Option(help="The voucher code; sealed to the "
                                                          "resident before it is sent.")],
                node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
                home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """(Business) Deliver a voucher, readable only by the resident who redeemed."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        outcome = sdk_vault.fulfil(client(node_url), wallet, redemption_id, voucher)
    emit({"redemption": redemption_id, "height": outcome.height}, as_json,
         title="Voucher delivered (sealed)")


@shop_app.command("refund")
def shop_refund(redemption_id: int, key: KeyOpt, node_url: NodeOpt = DEFAULT_NODE,
                keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
                as_json: JsonOpt = False) -> None:
    """(Business) Cannot deliver: the resident gets the price back."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        outcome = client(node_url).send(wallet, RefundRedemption(redemption=redemption_id))
    emit({"redemption": redemption_id, "height": outcome.height}, as_json, title="Refunded")


@shop_app.command("voucher")
def shop_voucher(redemption_id: int, key: KeyOpt, node_url: NodeOpt = DEFAULT_NODE,
                 keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
                 as_json: JsonOpt = False) -> None:
    """Open the voucher of one of your redemptions, here, with your key."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        redemption = client(node_url).query("exchange/redemption", id=redemption_id)
        if redemption["resident"] != wallet.address:
            raise ValueError(f"redemption {redemption_id} is not yours")
        if not redemption["voucher"]:
            raise ValueError(f"redemption {redemption_id} is {redemption['status']}: no voucher yet")
        code = sdk_vault.read_voucher(wallet, redemption)
    emit({"redemption": redemption_id, "item": redemption["item"], "voucher": code}, as_json,
         title="Voucher")
