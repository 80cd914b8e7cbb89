"""`planet vault`: a resident's encrypted records (sealed and opened on this machine), and a
business's deposits into a resident's vault."""

from __future__ import annotations

import sys
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
    check_address,
    client,
    console,
    emit,
    errors,
    load_wallet,
)
from planet.cli.units import parse_instant
from planet.cli.view import Human, cards
from planet.core.vault.messages import AllowDepositor, RevokeDepositor
from planet.core.vault.state import CATEGORIES
from planet.sdk import vault as sdk_vault

vault_app = typer.Typer(help="Your encrypted data vault: only your key opens a record.",
                        no_args_is_help=True)

CategoryOpt = Annotated[str, typer.Option(help=f"One of: {', '.join(CATEGORIES)}.")]
FileOpt = Annotated[Path | None, typer.Option("--file", "-f", exists=True, dir_okay=False,
                                              help="Read the record from this file ('-' reads "
                                                   "standard input with --text -).")]
TextOpt = Annotated[str | None, typer.Option("--text", help="The record as text ('-': stdin).")]
TimeOpt = Annotated[str | None, typer.Option(
    "--time", help="When it happened: ISO 8601 or epoch ms (default: now).")]


def read_plaintext(file: Path | None, text: str | None) -> bytes:
    if (file is None) == (text is None):
        raise ValueError("give the record with exactly one of --file or --text")
    if file is not None:
        return file.read_bytes()
    assert text is not None
    return sys.stdin.buffer.read() if text == "-" else text.encode()


@vault_app.command("add")
def vault_add(key: KeyOpt, category: CategoryOpt, file: FileOpt = None, text: TextOpt = None,
              when: TimeOpt = None, node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
              home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """Encrypt a record to your key, commit its digest, upload the ciphertext."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        plaintext = read_plaintext(file, text)
        digest = sdk_vault.add_record(client(home, node_url), wallet, plaintext, category,
                                      parse_instant(when))
    emit({"owner": wallet.address, "digest": digest, "category": category,
          "bytes": len(plaintext)}, as_json, title="Record added (encrypted)")


@vault_app.command("deposit")
def vault_deposit(key: KeyOpt, owner: Annotated[str, typer.Option(
                      callback=check_address, help="The resident's address.")],
                  category: CategoryOpt, file: FileOpt = None, text: TextOpt = None,
                  when: TimeOpt = None,
                  task: Annotated[str, typer.Option(help="A task you attest: the deposit earns "
                                                         "the resident its Force.")] = "",
                  node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
                  home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """(Business) Seal a record to a resident's key and deposit it into their vault."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        digest = sdk_vault.deposit_record(client(home, node_url), wallet, owner,
                                          read_plaintext(file, text), category,
                                          parse_instant(when), task)
    emit({"owner": owner, "digest": digest, "category": category, "task": task or None},
         as_json, title="Record deposited (sealed to the resident)")


BusinessOpt = Annotated[str, typer.Option(callback=check_address, help="The business's address.")]


def set_depositor(key: str, business: str, allowed: bool, node_url: str | None,
                  keyring: Path | None, home: Path, as_json: bool) -> None:
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        msg = AllowDepositor(business=business) if allowed else RevokeDepositor(business=business)
        client(home, node_url).send(wallet, msg)
    emit({"owner": wallet.address, "business": business, "allowed": allowed}, as_json,
         title="Deposits allowed" if allowed else "Deposits no longer allowed")


@vault_app.command("allow")
def vault_allow(key: KeyOpt, business: BusinessOpt, node_url: NodeOpt = DEFAULT_NODE,
                keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
                as_json: JsonOpt = False) -> None:
    """Allow a business to deposit records into your vault (it cannot without this)."""
    set_depositor(key, business, True, node_url, keyring, home, as_json)


@vault_app.command("disallow")
def vault_disallow(key: KeyOpt, business: BusinessOpt, node_url: NodeOpt = DEFAULT_NODE,
                   keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
                   as_json: JsonOpt = False) -> None:
    """Revoke a business's permission to deposit; what it deposited stays yours."""
    set_depositor(key, business, False, node_url, keyring, home, as_json)


@vault_app.command("depositors")
def vault_depositors(key: KeyOpt, node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
                     home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """The businesses you allow to deposit into your vault."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        api = client(home, node_url)
        items = api.query("vault/depositors", owner=wallet.address)["items"]
    if as_json or not items:
        emit({"items": items} if as_json else "you allow no business to deposit", as_json)
        return
    human = Human(api)
    console.print(cards("Businesses you allow to deposit", [
        (human.name(d["business"]), f"{d['business']} · since {human.time(d['since'])}")
        for d in items]))


@vault_app.command("list")
def vault_list(key: KeyOpt, category: Annotated[str, typer.Option(help="Only this category.")] = "",
               erased: Annotated[bool, typer.Option(help="Include erased records.")] = False,
               node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
               home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """Your records as the ledger knows them: category, source, time, size, digest."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        args: dict[str, object] = {"owner": wallet.address, "limit": 500}
        if category:
            args["category"] = category
        if erased:
            args["erased"] = "true"
        api = client(home, node_url)
        page = api.query("vault/records", **args)
        if as_json or not page["records"]:
            emit(page if as_json else "no records", as_json)
            return
        human = Human(api)
        console.print(cards(f"{page['total']} record(s)", [
            (" · ".join(filter(None, (
                r["category"], human.time(r["time"]), f"{r['size']} bytes",
                "from you" if r["source"] == wallet.address else f"from {human.name(r['source'])}",
                r["erased_at"] and f"erased {human.time(r['erased_at'])}"))), r["digest"])
            for r in page["records"]]))


@vault_app.command("show")
def vault_show(digest: str, key: KeyOpt,
               out: Annotated[Path | None, typer.Option(help="Write the plaintext here.")] = None,
               node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
               home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """Download a record and decrypt it here, with your key."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        api = client(home, node_url)
        record = api.query("vault/record", digest=digest)
        plaintext = sdk_vault.read_record(api, wallet, digest)
        when = "" if as_json else Human(api).time(record["time"])
    if out is not None:
        out.write_bytes(plaintext)
        emit({"digest": digest, "written": str(out), "bytes": len(plaintext)}, as_json)
        return
    text = plaintext.decode("utf-8", errors="replace")
    if as_json:
        emit({**record, "plaintext": text}, True)
    else:
        console.print(f"[bold]{record['category']}[/] · {when}")
        console.print(text, markup=False, highlight=False)


@vault_app.command("erase")
def vault_erase(digest: str, key: KeyOpt, node_url: NodeOpt = DEFAULT_NODE,
                keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
                as_json: JsonOpt = False) -> None:
    """Erase a record: its ciphertext is deleted and every grant on it ends."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        outcome = sdk_vault.erase_record(client(home, node_url), wallet, digest)
    ended = [e["attributes"] for e in outcome.events if e["type"] == "exchange/grant_record_ended"]
    emit({"digest": digest, "erased_at_height": outcome.height,
          "grants_ended": [e["request"] for e in ended]}, as_json, title="Record erased")
