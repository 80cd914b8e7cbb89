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
    check_address,
    client,
    console,
    emit,
    errors,
    load_wallet,
)
from planet.cli.units import parse_bd, parse_duration, parse_instant
from planet.cli.view import Human, cards, record_table, rows_table, short_address, short_hash
from planet.cli.vouchers import vouchers_app
from planet.core.exchange.messages import (
    CloseRequest,
    CreateOffer,
    CreateRequest,
    PauseOffer,
    RedeemOffer,
    RefundRedemption,
    ResumeOffer,
    RevokeGrant,
    StopOffer,
    UpdateOffer,
    largest_cohort,
)
from planet.core.genesis import parse_genesis
from planet.sdk import granted as sdk_granted
from planet.sdk import vault as sdk_vault

requests_app = typer.Typer(help="Data requests: see what is asked, grant chosen records, revoke; "
                                "businesses post requests and read what was granted.",
                           no_args_is_help=True)
shop_app = typer.Typer(help="Offers residents redeem with diamonds, and their vouchers.",
                       no_args_is_help=True)
shop_app.add_typer(vouchers_app, name="vouchers")


# --- data requests --------------------------------------------------------------------------


@requests_app.command("list")
def requests_list(all_: Annotated[bool, typer.Option("--all", help="Include closed ones.")] = False,
                  business: Annotated[str | None, typer.Option(
                      callback=check_address, help="Only this business's.")] = None,
                  node_url: NodeOpt = DEFAULT_NODE, home: HomeOpt = DEFAULT_HOME_PATH,
                  as_json: JsonOpt = False) -> None:
    """Open data requests (newest first)."""
    with errors(as_json):
        args: dict[str, Any] = {"limit": 100}
        if not all_:
            args["open"] = "true"
        if business:
            args["business"] = business
        api = client(home, node_url)
        page = api.query("exchange/requests", **args)
        if as_json or not page["items"]:
            emit(page if as_json else "no requests", as_json)
            return
        human = Human(api)
        console.print(cards("Data requests", [
            (f"#{r['id']}  {human.name(r['business'])} · {human.bd(r['reward'])} each · "
             f"{r['places_left']} places left · cohort of {r['cohort']} "
             f"({r['waiting']} waiting) · {r['status']}",
             r["purpose"],
             f"asks for {', '.join(r['categories'])}; expires {human.time(r['expires_at'])}")
            for r in page["items"]]))


@requests_app.command("show")
def requests_show(request_id: int, key: KeyOpt, node_url: NodeOpt = DEFAULT_NODE,
                  keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
                  as_json: JsonOpt = False) -> None:
    """A request and exactly which of your records it would receive if you accept."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        api = client(home, node_url)
        data = api.query("exchange/eligible", request=request_id, owner=wallet.address)
        if as_json:
            emit(data, True)
            return
        human = Human(api)
        r = data["request"]
        console.print(record_table({
            "business": f"{human.name(r['business'])} ({r['business']})",
            "purpose": r["purpose"], "categories": ", ".join(r["categories"]),
            "records from": human.time(r["period_start"], never="the beginning"),
            "records until": human.time(r["period_end"]),
            "reward": human.bd(r["reward"]), "access for": human.duration(r["access_ms"]),
            "places left": str(r["places_left"]),
            "cohort": f"{r['cohort']} residents; {r['waiting']} waiting (nothing opens or is "
                      "paid until the cohort is complete)",
            "expires": human.time(r["expires_at"])},
            f"Request {request_id}"))
        console.print(cards("Your records it would receive", [
            (f"{x['category']} · {human.time(x['time'])} · {x['size']} bytes", x["digest"])
            for x in data["records"]]) if data["records"] else "none of your records match")


@requests_app.command("accept")
def requests_accept(request_id: int, key: KeyOpt,
                    record: Annotated[list[str] | None, typer.Option(
                        "--record", "-r", help="A record to share (repeat); default: every "
                                               "record `requests show` lists.")] = None,
                    node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
                    home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """Grant the business your chosen records (keys resealed here); you are paid, and it
    may read them, when the request's cohort is complete."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        api = client(home, node_url)
        digests = record or [x["digest"] for x in api.query(
            "exchange/eligible", request=request_id, owner=wallet.address)["records"]]
        if not digests:
            raise ValueError(f"none of your records match request {request_id}")
        outcome = sdk_vault.accept_request(api, wallet, request_id, digests)
        accepted = next(e["attributes"] for e in outcome.events
                        if e["type"] == "exchange/accepted")
        granted = next((e["attributes"] for e in outcome.events
                        if e["type"] == "exchange/granted"
                        and e["attributes"]["resident"] == wallet.address), None)
        out: dict[str, Any] = {"request": request_id, "records": len(digests),
                               "state": "active" if granted else "waiting",
                               "paid": granted["paid"] if granted else 0,
                               "cohort": accepted["cohort"]}
        if granted:
            out["access_until"] = granted["access_until"]
        else:
            out["waiting"] = accepted["waiting"]
    emit(out, as_json, title="Granted: the cohort is complete, you are paid" if granted else
         f"Accepted: waiting for the cohort ({out.get('waiting')} of {out['cohort']})",
         human=Human(api), bd=("paid",))


@requests_app.command("revoke")
def requests_revoke(request_id: int, key: KeyOpt, node_url: NodeOpt = DEFAULT_NODE,
                    keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
                    as_json: JsonOpt = False) -> None:
    """End your grant on a request now."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        outcome = client(home, node_url).send(wallet, RevokeGrant(request=request_id))
    emit({"request": request_id, "revoked_at_height": outcome.height}, as_json,
         title="Grant revoked")


@requests_app.command("grants")
def requests_grants(key: KeyOpt, node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
                    home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """Your grants: to whom, for what purpose, which records, until when."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        api = client(home, node_url)
        grants = sdk_vault.iter_pages(api, "exchange/grants", resident=wallet.address)
        if as_json or not grants:
            emit(grants if as_json else "no grants", as_json)
            return
        human = Human(api)
        console.print(rows_table(grants, [
            ("request", lambda g: g["request"]), ("business", lambda g: human.name(g["business"])),
            ("purpose", lambda g: g["purpose"]),
            ("records", lambda g: sum(1 for x in g["records"] if x["live"])),
            ("state", lambda g: g["state"]),
            (f"until ({human.offset})", lambda g: human.when(g["access_until"]))],
            title="Your grants", wrap=("business", "purpose")))


@requests_app.command("create")
def requests_create(
    key: KeyOpt,
    categories: Annotated[str, typer.Option(help="Comma-separated, e.g. travel,shopping.")],
    purpose: Annotated[str, typer.Option(help="What the data is for, in plain words.")],
    reward: Annotated[str, typer.Option(help="BD paid to each resident who grants.")],
    residents: Annotated[int, typer.Option(min=1, help="How many residents.")],
    cohort: Annotated[int | None, typer.Option(
        min=1, help="Residents who must accept before any grant opens or is paid (at least the "
                    "chain's minimum, 10 by default; places come in whole cohorts). Default: "
                    "the largest that divides --residents within the chain's bounds.")] = None,
    period_start: Annotated[str, typer.Option(help="Records from (ISO 8601 or ms).")] = "0",
    period_end: Annotated[str | None, typer.Option(help="Records until (default: now).")] = None,
    expires_in: Annotated[str, typer.Option(help="Open for, e.g. 7d.")] = "7d",
    access: Annotated[str, typer.Option(help="Each grant's access period, e.g. 30d.")] = "30d",
    node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
    home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False,
) -> None:
    """(Business) Post a data request; reward × residents is escrowed from your diamonds.
    Nothing is paid or readable until a whole cohort of residents accepted."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        api = client(home, node_url)
        chain_time = int(api.status()["time"])
        if cohort is None:
            params = parse_genesis(api.genesis()).params
            cohort = largest_cohort(residents, params.min_cohort, params.max_cohort)
            if cohort is None:
                raise typer.BadParameter(
                    f"no cohort of {params.min_cohort} to {params.max_cohort} residents "
                    f"divides {residents}: choose --residents or --cohort", param_hint="--cohort")
        outcome = api.send(wallet, CreateRequest(
            categories=tuple(c.strip() for c in categories.split(",") if c.strip()),
            period_start=parse_instant(period_start), period_end=parse_instant(period_end),
            purpose=purpose, reward=parse_bd(reward), residents=residents,
            cohort=cohort, expires_at=chain_time + parse_duration(expires_in),
            access_ms=parse_duration(access)))
    created = next(e["attributes"] for e in outcome.events
                   if e["type"] == "exchange/request_created")
    emit({"request": created["request"], "escrowed": created["escrowed"]}, as_json,
         title="Data request posted", bd=("escrowed",))


@requests_app.command("close")
def requests_close(request_id: int, key: KeyOpt, node_url: NodeOpt = DEFAULT_NODE,
                   keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
                   as_json: JsonOpt = False) -> None:
    """(Business) Close a request early; the escrow left comes back."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        outcome = client(home, node_url).send(wallet, CloseRequest(request=request_id))
    closed = next(e["attributes"] for e in outcome.events if e["type"] == "exchange/request_closed")
    emit({"request": request_id, "refunded": closed["refunded"]}, as_json,
         title="Request closed", bd=("refunded",))


@requests_app.command("fetch")
def requests_fetch(request_id: int, key: KeyOpt,
                   out: Annotated[Path | None, typer.Option(help="Write each record to "
                                                                 "DIR/<digest>.")] = None,
                   node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
                   home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """(Business) Download and decrypt, here, every record still granted on a request."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        granted = sdk_vault.read_granted(client(home, node_url), wallet, request_id)
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
        console.print(f"[bold]{row['category']}[/] from {row['resident']} "
                      f"({short_hash(row['digest'])})", soft_wrap=True)
        console.print(row["plaintext"], markup=False, highlight=False)
    if not rows:
        console.print("no records are granted on this request now")


@requests_app.command("export")
def requests_export(request_id: int, key: KeyOpt,
                    fmt: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
                    out: Annotated[Path | None, typer.Option(
                        help="Write here (default: standard output).")] = None,
                    node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
                    home: HomeOpt = DEFAULT_HOME_PATH) -> None:
    """(Business) Every record still granted on a request, decrypted here, as CSV (one row a
    record) or JSON (the rows and a summary per category)."""
    with errors(False):
        if fmt not in ("csv", "json"):
            raise ValueError(f"--format {fmt}: csv or json")
        wallet = load_wallet(key, keyring, home)
        rows = sdk_granted.granted_records(client(home, node_url), wallet, request_id)
        text = sdk_granted.export_csv(rows) if fmt == "csv" else sdk_granted.export_json(rows)
    if out is None:
        print(text, end="")
        return
    out.write_text(text, encoding="utf-8", newline="")
    console.print(f"{len(rows)} records of request {request_id} written to {out} ({fmt})")
    for line in sdk_granted.summarize(rows):
        console.print(f"  {line['category']}: {line['records']} records from "
                      f"{line['residents']} residents")


# --- shop -----------------------------------------------------------------------------------


@shop_app.command("list")
def shop_list(all_: Annotated[bool, typer.Option("--all", help="Include offers not on sale.")]
              = False, node_url: NodeOpt = DEFAULT_NODE, home: HomeOpt = DEFAULT_HOME_PATH,
              as_json: JsonOpt = False) -> None:
    """Offers on sale now."""
    with errors(as_json):
        api = client(home, node_url)
        page = api.query("exchange/offers", **({} if all_ else {"on_sale": "true"}))
        if as_json or not page["items"]:
            emit(page if as_json else "nothing on sale", as_json)
            return
        human = Human(api)
        console.print(cards("Shop", [
            (f"#{o['id']}  {o['item']} · {human.bd(o['price'])}",
             "; ".join(filter(None, (
                 f"from {human.name(o['business'])}", f"{o['left']:,} left",
                 o["min_force"] and f"Force {o['min_force']} or more",
                 o["daily_limit"] and f"{o['daily_limit']} per resident a day",
                 o["status"] if o["status"] in ("paused", "stopped", "suspended") else "",
                 ("on sale" if o["on_sale"] else f"sale from {human.time(o['starts_at'])}")
                 + f" until {human.time(o['ends_at'])}"))))
            for o in page["items"]]))


@shop_app.command("redeem")
def shop_redeem(offer_id: int, key: KeyOpt, node_url: NodeOpt = DEFAULT_NODE,
                keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
                as_json: JsonOpt = False) -> None:
    """Redeem an offer with your diamonds; the business then sends a sealed voucher."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        outcome = client(home, node_url).send(wallet, RedeemOffer(offer=offer_id))
    done = next(e["attributes"] for e in outcome.events if e["type"] == "exchange/redeemed")
    emit({"redemption": done["redemption"], "offer": offer_id, "paid": done["price"]},
         as_json, title="Redeemed", bd=("paid",))


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
        api = client(home, node_url)
        start = int(api.status()["time"]) if starts is None else parse_instant(starts)
        outcome = api.send(wallet, CreateOffer(
            item=item, price=parse_bd(price), stock=stock, starts_at=start,
            ends_at=start + parse_duration(lasts), min_force=min_force, daily_limit=daily_limit))
    created = next(e["attributes"] for e in outcome.events if e["type"] == "exchange/offer_created")
    emit({"offer": created["offer"], "item": item}, as_json, title="Offer listed")


@shop_app.command("update")
def shop_update(offer_id: int, key: KeyOpt,
                price: Annotated[str | None, typer.Option(help="New price in BD.")] = None,
                stock: Annotated[int | None, typer.Option(min=1, help="New stock (at least what "
                                                                      "is redeemed).")] = None,
                starts: Annotated[str | None, typer.Option(help="Sale opens (ISO 8601 or ms).")]
                = None,
                ends: Annotated[str | None, typer.Option(help="Sale ends (ISO 8601 or ms).")] = None,
                min_force: Annotated[int | None, typer.Option(min=0)] = None,
                daily_limit: Annotated[int | None, typer.Option(min=0)] = None,
                node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
                home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """(Business) Edit an offer: only the options given change; redemptions already made
    keep their price."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        given = {"price": None if price is None else parse_bd(price), "stock": stock,
                 "starts_at": None if starts is None else parse_instant(starts),
                 "ends_at": None if ends is None else parse_instant(ends),
                 "min_force": min_force, "daily_limit": daily_limit}
        changes = {k: v for k, v in given.items() if v is not None}
        client(home, node_url).send(wallet, UpdateOffer(offer=offer_id, **changes))
    emit({"offer": offer_id, "changed": ", ".join(sorted(changes))}, as_json,
         title="Offer updated")


def set_offer_state(msg: PauseOffer | ResumeOffer | StopOffer, key: str, node_url: str | None,
                    keyring: Path | None, home: Path, as_json: bool, title: str) -> None:
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        api = client(home, node_url)
        api.send(wallet, msg)
        status = api.query("exchange/offer", id=msg.offer)["status"]
    emit({"offer": msg.offer, "status": status}, as_json, title=title)


@shop_app.command("pause")
def shop_pause(offer_id: int, key: KeyOpt, node_url: NodeOpt = DEFAULT_NODE,
               keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
               as_json: JsonOpt = False) -> None:
    """(Business) Pause an offer: no redemptions until you resume it."""
    set_offer_state(PauseOffer(offer=offer_id), key, node_url, keyring, home, as_json,
                    "Offer paused")


@shop_app.command("resume")
def shop_resume(offer_id: int, key: KeyOpt, node_url: NodeOpt = DEFAULT_NODE,
                keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
                as_json: JsonOpt = False) -> None:
    """(Business) Resume a paused offer."""
    set_offer_state(ResumeOffer(offer=offer_id), key, node_url, keyring, home, as_json,
                    "Offer resumed")


@shop_app.command("stop")
def shop_stop(offer_id: int, key: KeyOpt, node_url: NodeOpt = DEFAULT_NODE,
              keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
              as_json: JsonOpt = False) -> None:
    """(Business) Stop an offer for good; pending redemptions are still yours to fulfil or
    refund."""
    set_offer_state(StopOffer(offer=offer_id), key, node_url, keyring, home, as_json,
                    "Offer stopped")


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
        api = client(home, node_url)
        page = api.query("exchange/redemptions", **args)
        if as_json or not page["items"]:
            emit(page if as_json else "no redemptions", as_json)
            return
        human = Human(api)
        sold = page["items"][0]["business"] == wallet.address  # a business's orders
        console.print(rows_table(page["items"], [
            ("id", lambda r: r["id"]), ("item", lambda r: r["item"]),
            ("price", lambda r: human.bd(r["price"])),
            ("resident", lambda r: short_address(r["resident"])) if sold else
            ("from", lambda r: human.name(r["business"])),
            ("status", lambda r: r["status"]),
            (f"when ({human.offset})", lambda r: human.when(r["redeemed_at"]))],
            title="Redemptions", wrap=("item", "from")))


@shop_app.command("fulfil")
def shop_fulfil(redemption_id: int, key: KeyOpt,
                voucher: Annotated[str, typer.Option(help="The voucher code; sealed to the "
                                                          "resident before it is sent.")],
                node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
                home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """(Business) Deliver a voucher, readable only by the resident who redeemed."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        outcome = sdk_vault.fulfil(client(home, node_url), wallet, redemption_id, voucher)
    emit({"redemption": redemption_id, "height": outcome.height}, as_json,
         title="Voucher delivered (sealed)")


@shop_app.command("refund")
def shop_refund(redemption_id: int, key: KeyOpt, node_url: NodeOpt = DEFAULT_NODE,
                keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
                as_json: JsonOpt = False) -> None:
    """(Business) Cannot deliver: the resident gets the price back."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        outcome = client(home, node_url).send(wallet, RefundRedemption(redemption=redemption_id))
    emit({"redemption": redemption_id, "height": outcome.height}, as_json, title="Refunded")


@shop_app.command("voucher")
def shop_voucher(redemption_id: int, key: KeyOpt, node_url: NodeOpt = DEFAULT_NODE,
                 keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
                 as_json: JsonOpt = False) -> None:
    """Open the voucher of one of your redemptions, here, with your key."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        redemption = client(home, node_url).query("exchange/redemption", id=redemption_id)
        if redemption["resident"] != wallet.address:
            raise ValueError(f"redemption {redemption_id} is not yours")
        if not redemption["voucher"]:
            raise ValueError(f"redemption {redemption_id} is {redemption['status']}: no voucher yet")
        code = sdk_vault.read_voucher(wallet, redemption)
    emit({"redemption": redemption_id, "item": redemption["item"], "voucher": code}, as_json,
         title="Voucher")
