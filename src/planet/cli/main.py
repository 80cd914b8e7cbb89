"""`planet`: set up and run a node, manage keys, act as any role, inspect the chain."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from planet import __version__
from planet.cli.applications import COMMANDS as APPLICATION_COMMANDS
from planet.cli.audit import audit_app, business_lift, business_suspend, business_suspensions
from planet.cli.common import (
    DEFAULT_HOME_PATH,
    DEFAULT_NODE,
    EXIT_REFUSED,
    AddressArg,
    HomeOpt,
    InviteOpt,
    JsonOpt,
    KeyOpt,
    KeyringOpt,
    NodeOpt,
    check_address,
    check_invite,
    client,
    console,
    emit,
    err_console,
    errors,
    fail,
    key_password,
    keyring_dir,
    load_wallet,
)
from planet.cli.demo import demo
from planet.cli.drill import drill_app
from planet.cli.exchange import requests_app, shop_app
from planet.cli.testnet import testnet_app
from planet.cli.units import deployment_zone
from planet.cli.vault import vault_app
from planet.cli.view import (
    Human,
    proof_line,
    record_table,
    rows_table,
    short_address,
    short_hash,
    yes_no,
)
from planet.cli.webhooks import bench_webhooks, webhooks_app
from planet.node.home import Home

app = typer.Typer(help="Planet: own your behavioural data and be rewarded for it.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
keys_app = typer.Typer(help="Create, show, export and import keys.", no_args_is_help=True)
invites_app = typer.Typer(help="Invitation codes.", no_args_is_help=True)
identity_app = typer.Typer(help="Identity verification with the node's verifier.",
                           no_args_is_help=True)
business_app = typer.Typer(help="Businesses: they apply, the operator approves and registers them.",
                           no_args_is_help=True)
verifier_app = typer.Typer(help="Identity verifiers (appointed by the operator).",
                           no_args_is_help=True)
query_app = typer.Typer(help="Read the ledger.", no_args_is_help=True)
tasks_app = typer.Typer(help="The task catalog (the operator enables and disables tasks).",
                        invoke_without_command=True)
bench_app = typer.Typer(help="Benchmarks; each prints one JSON object with --json.",
                        no_args_is_help=True)
for sub, name in ((keys_app, "keys"), (invites_app, "invites"), (identity_app, "identity"),
                  (business_app, "business"), (verifier_app, "verifier"),
                  (query_app, "query"), (bench_app, "bench"), (tasks_app, "tasks"),
                  (drill_app, "drill"), (vault_app, "vault"), (requests_app, "requests"),
                  (shop_app, "shop"), (testnet_app, "testnet"), (audit_app, "audit")):
    app.add_typer(sub, name=name)
business_app.command("suspend")(business_suspend)
business_app.command("lift")(business_lift)
business_app.command("suspensions")(business_suspensions)
for _name, _command in APPLICATION_COMMANDS:
    business_app.command(_name)(_command)
app.command()(demo)
business_app.add_typer(webhooks_app, name="webhooks")
bench_app.command("webhooks")(bench_webhooks)


@app.command()
def version() -> None:
    """Print the version."""
    console.print(__version__)


# --- node ------------------------------------------------------------------------------------


@app.command()
def init(home: HomeOpt = DEFAULT_HOME_PATH,
         chain_id: Annotated[str, typer.Option(help="Chain id.")] = "planet-local-1",
         preset: Annotated[str, typer.Option(help="production or test.")] = "production",
         force: Annotated[bool, typer.Option("--force", help="Overwrite an existing home.")] = False,
         as_json: JsonOpt = False) -> None:
    """Write a node home: genesis, config, operator and verifier keys."""
    from planet.node.home import init_home

    with errors(as_json):
        h = init_home(home, chain_id, password=key_password(), preset=preset, overwrite=force)
        genesis = h.load_genesis()
    emit({"home": str(h.path), "chain_id": genesis.chain_id,
          "operator": genesis.operator.address,
          "verifier": genesis.identity_verifiers[0].address,
          "genesis": str(h.genesis_file)}, as_json, title="Node home created")


@app.command()
def node(home: HomeOpt = DEFAULT_HOME_PATH,
         host: Annotated[str | None, typer.Option(help="API host.")] = None,
         port: Annotated[int | None, typer.Option(help="API port.")] = None,
         engine: Annotated[str | None, typer.Option(
             help="embedded or cometbft (default: config.json's engine).")] = None,
         with_cometbft: Annotated[bool, typer.Option(
             help="cometbft engine: also start `cometbft start --home HOME/cometbft`.")] = False,
         identity_authority: Annotated[str | None, typer.Option(
             help="URL of a real-name identity authority (key in "
                  "PLANET_IDENTITY_AUTHORITY_KEY); default: config.json's, else checksum "
                  "only (development).")] = None,
         sms_gateway: Annotated[str | None, typer.Option(
             help="URL of an SMS gateway for one-time codes (key in PLANET_SMS_KEY); "
                  "default: config.json's, else codes go to this node's log "
                  "(development).")] = None,
         ) -> None:
    """Run the node (engine + HTTP API) until Ctrl-C."""
    from planet.node.run import ENGINES, run_node

    if engine is not None and engine not in ENGINES:
        fail(f"engine '{engine}' is not available; use one of {', '.join(ENGINES)}", 2)
    h = Home(home)
    if not h.exists():
        fail(f"{home} has no genesis.json; run `planet init --home {home}` first", 2)

    def ready(n: object, url: str) -> None:
        console.print(f"[bold green]Planet node[/] chain [cyan]{h.load_genesis().chain_id}[/] "
                      f"at height {getattr(n, 'height', 0)}; API on {url}/docs")

    with errors():
        run_node(h, host, port, on_ready=ready, engine=engine, with_cometbft=with_cometbft,
                 identity_authority=identity_authority, sms_gateway=sms_gateway)


@app.command()
def status(node_url: NodeOpt = DEFAULT_NODE, home: HomeOpt = DEFAULT_HOME_PATH,
           as_json: JsonOpt = False) -> None:
    """Height, app hash and mempool of a running node."""
    with errors(as_json):
        api = client(home, node_url)
        data = api.status()
        emit(data, as_json, title=f"Node status ({api.url})",
             human=Human(zone=deployment_zone(data["timezone"])))


@app.command()
def verify(home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """Replay every block from genesis and check every hash and the stored state (a node
    that joined by state sync: from its snapshot, saying so)."""
    from planet.engines.embedded import replay_chain
    from planet.storage.sqlite import NodeStore

    h = Home(home)
    if not h.db_file.exists():
        fail(f"no database at {h.db_file}", 2, as_json=as_json)
    store = NodeStore(h.db_file)
    with Progress(TextColumn("replaying"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeRemainingColumn(), disable=as_json, console=console) as progress:
        task = progress.add_task("replay", total=store.last_height())
        report = replay_chain(store, lambda h_, _t: progress.update(task, completed=h_),
                              engine_block_hashes=h.load_config().engine == "cometbft")
    if as_json:
        print(json.dumps(report.to_json()))
    else:
        for note in report.notes:  # a node that joined by state sync: what was checked
            console.print(f"[dim]{note}[/]")
        if report.ok:
            console.print(f"[bold green]verified[/]: {report.blocks} blocks, {report.txs} "
                          f"txs, app hash {report.app_hash}")
        else:
            for p in report.problems:
                console.print(f"[red]✗[/] {p}")
    if not report.ok:
        raise typer.Exit(EXIT_REFUSED)


@app.command()
def migrate(home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """Bring a stopped embedded node's database made by an earlier Planet to the current form
    (replays its blocks; the old file is kept beside it)."""
    from planet.engines.migrate import migrate_database, needs_migration

    h = Home(home)
    if not h.db_file.exists():
        fail(f"no database at {h.db_file}", 2, as_json=as_json)
    with errors(as_json):
        if not needs_migration(h.db_file):
            emit({"migrated": False, "db": str(h.db_file)}, as_json,
                 title="Already in the current form")
            return
        if h.load_config().engine == "cometbft":
            fail("a CometBFT node's app hashes are agreed by its validators: the network "
                 "restarts together from a new genesis; it cannot be migrated node by node",
                 EXIT_REFUSED, as_json=as_json)
        with Progress(TextColumn("migrating"), BarColumn(),
                      TextColumn("{task.completed}/{task.total}"), TimeRemainingColumn(),
                      disable=as_json, console=console) as progress:
            task = progress.add_task("migrate", total=None)
            report = migrate_database(
                h.db_file, lambda done, total: progress.update(task, completed=done, total=total))
        emit({"migrated": True, **report.to_json()}, as_json, title="Database migrated")


# --- keys ------------------------------------------------------------------------------------


@keys_app.command("create")
def keys_create(name: str, keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
                as_json: JsonOpt = False) -> None:
    """New key from a fresh 24-word mnemonic (shown once: write it down)."""
    from planet.sdk.keys import new_mnemonic, save_keystore, wallet_from_mnemonic

    path = keyring_dir(keyring, home) / f"{name}.json"
    with errors(as_json):
        if path.exists():
            raise FileExistsError(f"a key named '{name}' already exists at {path}")
        words = new_mnemonic()
        wallet = wallet_from_mnemonic(words)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        save_keystore(path, wallet, key_password(), name)
    emit({"name": name, "address": wallet.address, "mnemonic": words, "file": str(path)},
         as_json, title="Key created: write the mnemonic down, it is not stored")


@keys_app.command("show")
def keys_show(name: str, keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
              as_json: JsonOpt = False) -> None:
    """Address and public keys of a key."""
    from planet.core.encoding import b64encode

    with errors(as_json):
        wallet = load_wallet(name, keyring, home)
    emit({"name": name, "address": wallet.address,
          "public_key": b64encode(wallet.public_key),
          "encryption_key": b64encode(wallet.encryption_public_key)}, as_json)


@keys_app.command("list")
def keys_list(keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
              as_json: JsonOpt = False) -> None:
    """Keys in the keyring."""
    folder = keyring_dir(keyring, home)
    rows = []
    for path in sorted(folder.glob("*.json")) if folder.exists() else []:
        if path.name.endswith(".invites.json"):
            continue
        data = json.loads(path.read_text())
        rows.append({"name": path.stem, "address": data.get("address", ""),
                     "encrypted": data.get("encrypted", False)})
    emit(rows, as_json, title=f"Keys in {folder}")


@keys_app.command("export")
def keys_export(name: str, keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH) -> None:
    """Print the key's keystore JSON (encrypted if it was saved with a password)."""
    path = keyring_dir(keyring, home) / f"{name}.json"
    with errors():
        if not path.exists():
            raise FileNotFoundError(f"no key named '{name}' in {path.parent}")
        print(path.read_text().strip())


@keys_app.command("import")
def keys_import(name: str,
                mnemonic: Annotated[str | None, typer.Option(help="24 words, quoted.")] = None,
                file: Annotated[Path | None, typer.Option(help="A keystore JSON file.")] = None,
                keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
                as_json: JsonOpt = False) -> None:
    """Restore a key from its mnemonic or a keystore file."""
    from planet.sdk.keys import load_keystore, save_keystore, wallet_from_mnemonic

    path = keyring_dir(keyring, home) / f"{name}.json"
    with errors(as_json):
        if path.exists():
            raise FileExistsError(f"a key named '{name}' already exists at {path}")
        if (mnemonic is None) == (file is None):
            raise ValueError("give exactly one of --mnemonic or --file")
        wallet = (wallet_from_mnemonic(mnemonic) if mnemonic is not None
                  else load_keystore(file, key_password()))  # type: ignore[arg-type]
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        save_keystore(path, wallet, key_password(), name)
    emit({"name": name, "address": wallet.address, "file": str(path)}, as_json,
         title="Key imported")


# --- residents, invites, identity, businesses --------------------------------------------------


def _save_codes(folder: Path, name: str, codes: list[str]) -> Path:
    path = folder / f"{name}.invites.json"
    existing = json.loads(path.read_text()) if path.exists() else []
    path.write_text(json.dumps(existing + codes, indent=1) + "\n")
    path.chmod(0o600)
    return path


@invites_app.command("create")
def invites_create(key: KeyOpt, count: Annotated[int, typer.Option(min=1, max=64)] = 1,
                   node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
                   home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """Create invitation codes (only their hashes go on the ledger)."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        codes = client(home, node_url).create_invites(wallet, count)
        saved = _save_codes(keyring_dir(keyring, home), key, codes)
    emit({"codes": codes, "saved_to": str(saved)}, as_json, title="Invitation codes")


@invites_app.command("list")
def invites_list(key: KeyOpt, node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
                 home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """Codes this key created, and who used them."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        rows = client(home, node_url).query("accounts/invites_of", address=wallet.address)
    if as_json:
        emit(rows, as_json)
        return
    console.print(rows_table(rows, [
        ("code hash", lambda r: short_hash(r["code_hash"], 10)),
        ("made at", lambda r: f"block {r['created_height']}"),
        ("used by", lambda r: r["used_by"] or "unused"),
        ("at", lambda r: f"block {r['used_height']}" if r["used_by"] else "")],
        title=f"Invitations from {key} ({sum(1 for r in rows if not r['used_by'])} unused; "
              "the codes themselves are in the keyring)"))


@app.command()
def register(key: KeyOpt, invite: InviteOpt,
             own_invites: Annotated[int, typer.Option(help="Codes to create for yourself.")] = 3,
             node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
             home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """Register KEY as a resident with an invitation code."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        outcome, codes = client(home, node_url).register_resident(wallet, invite,
                                                                  own_invites=own_invites)
        if codes:
            _save_codes(keyring_dir(keyring, home), key, codes)
    emit({"address": wallet.address, "height": outcome.height, "tx": outcome.hash,
          "your_invites": codes}, as_json, title="Registered")


PhonePrompt = Annotated[str, typer.Option(prompt=True, hide_input=True,
                                           help="Mobile number (mainland China).")]


@identity_app.command("code")
def identity_code(key: KeyOpt, phone: PhonePrompt, node_url: NodeOpt = DEFAULT_NODE,
                  keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
                  as_json: JsonOpt = False) -> None:
    """Have the node's verifier text a one-time code to your phone (then `identity verify
    --code`). The number is sealed to the verifier; nothing is kept or logged."""
    with errors(as_json):
        sent = client(home, node_url).send_identity_code(load_wallet(key, keyring, home), phone)
    emit(sent, as_json, title="Code sent")


@identity_app.command("verify")
def identity_verify(
        key: KeyOpt,
        name: Annotated[str, typer.Option(prompt=True, help="Full name.")],
        id_number: Annotated[str, typer.Option(prompt=True, hide_input=True,
                                               help="Resident ID number.")],
        phone: PhonePrompt,
        code: Annotated[str | None, typer.Option(
            help="The code already sent by `identity code`; without it a code is sent now "
                 "and asked for.")] = None,
        node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
        home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """Verify KEY's identity with the node's verifier: a code texted to the phone, then the
    details and the code, sealed to the verifier; nothing is kept or logged."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        api = client(home, node_url)
        if code is None:
            sent = api.send_identity_code(wallet, phone)
            err_console.print(f"A {sent['valid_s'] // 60}-minute code was sent to the phone "
                              f"ending {sent['phone_ending']}.")
            code = typer.prompt("Code", err=True)
        done = api.verify_identity(wallet, name, id_number, phone, code)
    emit({"resident": wallet.address, "verified": True, "height": done["height"],
          "tx": done["hash"]}, as_json, title="Identity verified")


@business_app.command("register")
def business_register(key: KeyOpt,
                      business_key: Annotated[str, typer.Option(help="The business's key name.")],
                      name: Annotated[str, typer.Option(help="Business name.")],
                      node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
                      home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """The operator (KEY) registers a business."""
    _appoint("business", key, business_key, name, node_url, keyring, home, as_json)


@verifier_app.command("add")
def verifier_add(key: KeyOpt,
                 verifier_key: Annotated[str, typer.Option(help="The verifier's key name.")],
                 name: Annotated[str, typer.Option(help="Verifier name.")],
                 node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
                 home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """The operator (KEY) appoints an identity verifier."""
    _appoint("verifier", key, verifier_key, name, node_url, keyring, home, as_json)


def _appoint(role: str, key: str, appointee_key: str, name: str, node_url: str | None,
             keyring: Path | None, home: Path, as_json: bool) -> None:
    with errors(as_json):
        operator = load_wallet(key, keyring, home)
        appointee = load_wallet(appointee_key, keyring, home)
        api = client(home, node_url)
        action = api.register_business if role == "business" else api.add_verifier
        outcome = action(operator, appointee, name)
    emit({role: appointee.address, "name": name, "height": outcome.height}, as_json,
         title=f"{role.capitalize()} appointed")


# --- queries ---------------------------------------------------------------------------------


@query_app.command("account")
def query_account(address: AddressArg, node_url: NodeOpt = DEFAULT_NODE,
                  home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """An account by address."""
    with errors(as_json):
        api = client(home, node_url)
        emit(api.query("accounts/account", address=address), as_json, title="Account",
             human=Human(api))


@query_app.command("block")
def query_block(height: Annotated[int | None, typer.Argument()] = None,
                node_url: NodeOpt = DEFAULT_NODE, home: HomeOpt = DEFAULT_HOME_PATH,
                as_json: JsonOpt = False) -> None:
    """A block by height (default: the latest)."""
    with errors(as_json):
        api = client(home, node_url)
        block = api.block(height)
        if as_json:
            emit(block, as_json)
            return
        human = Human(api)
        txs = block.pop("txs", [])
        console.print(record_table(human.record(block), f"Block {block['height']}"))
        if txs:
            console.print(rows_table(txs, [
                ("#", lambda t: t["index"]), ("tx", lambda t: short_hash(t["hash"])),
                ("sender", lambda t: human.name(t["tx"]["body"]["sender"])),
                ("messages", lambda t: ", ".join(m["type"] for m in t["tx"]["body"]["messages"])),
                ("result", lambda t: "ok" if t["code"] == 0 else f"refused ({t['code']})")],
                wrap=("messages",)))


@query_app.command("tx")
def query_tx(tx_hash: str, node_url: NodeOpt = DEFAULT_NODE, home: HomeOpt = DEFAULT_HOME_PATH,
             as_json: JsonOpt = False) -> None:
    """A committed transaction by hash."""
    with errors(as_json):
        api = client(home, node_url)
        tx = api.tx(tx_hash)
        if as_json:
            emit(tx, as_json)
            return
        body, result = tx["tx"]["body"], tx["result"]
        console.print(record_table({
            "hash": tx["hash"], "block": f"{tx['height']} (#{tx['index']} in it)",
            "sender": body["sender"], "sequence": str(body["sequence"]),
            "result": "ok" if tx["code"] == 0 else
            f"refused: {result.get('log', '')} (code {tx['code']})"}, "Transaction"))
        human = Human(api)
        for i, msg in enumerate(body["messages"], 1):
            console.print(record_table(human.record(msg), f"Message {i}"))
        for event in result.get("events", []):
            console.print(record_table(human.record(event["attributes"], bd=EVENT_BD),
                                       f"Event {event['type']}"))


@query_app.command("invite")
def query_invite(code: Annotated[str, typer.Argument(callback=check_invite)],
                 node_url: NodeOpt = DEFAULT_NODE, home: HomeOpt = DEFAULT_HOME_PATH,
                 as_json: JsonOpt = False) -> None:
    """Whether an invitation code exists and is used (the code is hashed locally)."""
    from planet.core.accounts.codes import compute_invite_hash

    with errors(as_json):
        api = client(home, node_url)
        invite = api.query("accounts/invite", code_hash=compute_invite_hash(code))
        emit(invite if as_json or invite.get("used_by") else
             {k: v for k, v in invite.items() if k != "used_height"},
             as_json, title="Invitation", human=Human(api))


@query_app.command("accounts")
def query_accounts(kind: Annotated[str, typer.Option(help="resident, business, verifier, "
                                                          "operator")] = "resident",
                   limit: int = 50, node_url: NodeOpt = DEFAULT_NODE,
                   home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """Accounts of one kind."""
    with errors(as_json):
        api = client(home, node_url)
        accounts = api.query("accounts/accounts", kind=kind, limit=limit)
        if as_json:
            emit(accounts, as_json)
            return
        human = Human(api)
        named = kind in ("business", "verifier", "operator")
        console.print(rows_table(accounts, [
            ("address", lambda a: a["address"]),
            *([("name", lambda a: a["name"])] if named else []),
            ("joined", lambda a: human.when(a["created_at"])[:10]),
            *([] if named else [("verified", lambda a: yes_no(a["verified"])),
                                ("invites", lambda a: a["invites_left"])])],
            title=f"{kind.capitalize()} accounts ({len(accounts)}, joined on {human.offset} "
                  "dates)", wrap=("name",)))


# --- the economy --------------------------------------------------------------------------------


EVENT_BD = ("amount", "price", "paid", "reward", "escrowed", "refunded", "prize_each")


@app.command()
def checkin(key: KeyOpt, node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
            home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """Daily check-in: Force for the resident KEY (once per local day)."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        api = client(home, node_url)
        outcome = api.complete_task(wallet, "daily_checkin")
        force = api.query("force/force", address=wallet.address)
    emit({"resident": wallet.address, "force": force["force"], "height": outcome.height},
         as_json, title="Checked in")


@app.command()
def collect(key: KeyOpt, node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
            home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """Collect pending Black Diamonds (and stay active for another 48 hours)."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        api = client(home, node_url)
        outcome = api.collect(wallet)
        holder = api.query("emission/holder", address=wallet.address)
        amount = next((e["attributes"]["amount"] for e in outcome.events
                       if e["type"] == "emission/collected"), 0)
        emit({"resident": wallet.address, "collected_micro": amount,
              "balance_micro": holder["balance_micro"], "height": outcome.height,
              "dormant_at": holder["dormant_at"]}, as_json, title="Collected",
             human=Human(api))


@app.command()
def supply(node_url: NodeOpt = DEFAULT_NODE, home: HomeOpt = DEFAULT_HOME_PATH,
           as_json: JsonOpt = False) -> None:
    """Emitted so far against the schedule's cap, the era and its rate."""
    with errors(as_json):
        api = client(home, node_url)
        emit(api.query("emission/supply"), as_json, title="Supply", human=Human(api))


def _check_app_hash(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", value):
        raise typer.BadParameter("an app hash is 64 hex characters")
    return value


@query_app.command("holder")
def query_holder(address: AddressArg, node_url: NodeOpt = DEFAULT_NODE,
                 home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False,
                 prove: Annotated[bool, typer.Option(
                     "--prove", help="Verify the answer here: every record it rests on is "
                                     "proven against the block header's app hash.")] = False,
                 app_hash: Annotated[str | None, typer.Option(
                     "--app-hash", callback=_check_app_hash, show_default=False,
                     help="An app hash you trust (hex) for the proof's height; implies "
                          "--prove.")] = None) -> None:
    """A resident's balance, pending diamonds, Force and dormancy."""
    from planet.core.errors import InvalidProof

    with errors(as_json):
        api = client(home, node_url)
        if not prove and app_hash is None:
            emit(api.query("emission/holder", address=address), as_json, title="Holder",
                 human=Human(api))
            return
        from planet.sdk.proofs import verified_holder

        try:
            checked = verified_holder(api, address, app_hash=app_hash)
        except InvalidProof as err:
            raise InvalidProof(f"proof refused, the answer is not verified: {err.message}"
                               ) from None
        if as_json:
            emit({**checked.answer, "proof": {**checked.proof, "verified": True,
                                              "checked_against": list(checked.checked_against)}},
                 as_json)
            return
        emit(checked.answer, as_json, title="Holder", human=Human(api))
        console.print(proof_line(checked.reads.height, checked.reads.app_hash.hex(),
                                 checked.reads.records, checked.checked_against))


@query_app.command("bubbles")
def query_bubbles(address: AddressArg, node_url: NodeOpt = DEFAULT_NODE,
                  home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """Pending diamonds as hourly bubbles, each with the Force and rate behind it."""
    with errors(as_json):
        api = client(home, node_url)
        data = api.query("emission/bubbles", address=address)
        if as_json:
            emit(data, as_json)
            return
        human = Human(api)
        title = f"Bubbles: {human.bd(data['pending_micro'])} pending"
        if not data["bubbles"]:
            console.print(title)
            return
        console.print(rows_table(data["bubbles"], [
            (f"hour ({human.offset})",
             lambda b: human.when(b["hour_start"]) if b["hour_start"] else "earlier"),
            ("amount", lambda b: human.bd(b["amount_micro"])),
            ("your Force", lambda b: ", ".join(str(p["force"]) for p in b["parts"])),
            ("active Force", lambda b: b.get("active_force_at_start", "")),
            ("rate", lambda b: f"{human.bd(b['rate_micro_per_second'])}/s")], title=title))
        console.print(f"[dim]{data['formula']}[/]")


@query_app.command("force")
def query_force(address: AddressArg, node_url: NodeOpt = DEFAULT_NODE,
                home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """A resident's Force and its grants."""
    with errors(as_json):
        api = client(home, node_url)
        data = api.query("force/force", address=address)
        if as_json:
            emit(data, as_json)
            return
        human = Human(api)
        grants = data["grants"]
        console.print(record_table({"address": address, "force": str(data["force"])}, "Force"))
        if grants:
            console.print(rows_table(grants, [
                ("task", lambda g: g["task_id"]), ("Force", lambda g: g["force"]),
                ("left", lambda g: g["remaining"]),
                (f"granted ({human.offset})", lambda g: human.when(g["granted_at"])),
                ("expires", lambda g: human.when(g["expires_at"], never="never"))],
                title=f"Grants ({len(grants)})"))


# --- tasks -----------------------------------------------------------------------------------


def _lifetime(days: int) -> str:
    return "always" if days == 0 else f"{days} d"


@tasks_app.callback()
def tasks_list(ctx: typer.Context, node_url: NodeOpt = DEFAULT_NODE,
               home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """List the task catalog."""
    if ctx.invoked_subcommand is not None:
        return
    with errors(as_json):
        tasks = client(home, node_url).query("force/tasks")
    if as_json:
        emit(tasks, as_json)
        return
    console.print(rows_table(tasks, [
        ("id", lambda t: t["id"]),
        ("title", lambda t: t["title"] + ("" if t["enabled"] else " (off)")),
        ("Force", lambda t: t["force"]), ("lasts", lambda t: _lifetime(t["duration_days"])),
        ("limit", lambda t: t["limit"]), ("by", lambda t: short_address(t["attester"]))],
        title="Tasks", wrap=("title", "by")))


def _set_task(task_id: str, enabled: bool, key: str, node_url: str | None, keyring: Path | None,
              home: Path, as_json: bool) -> None:
    with errors(as_json):
        operator = load_wallet(key, keyring, home)
        outcome = client(home, node_url).set_task_enabled(operator, task_id, enabled)
    emit({"task": task_id, "enabled": enabled, "height": outcome.height}, as_json)


@tasks_app.command("enable")
def tasks_enable(task_id: str, key: KeyOpt = "operator", node_url: NodeOpt = DEFAULT_NODE,
                 keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
                 as_json: JsonOpt = False) -> None:
    """The operator enables a task."""
    _set_task(task_id, True, key, node_url, keyring, home, as_json)


@tasks_app.command("disable")
def tasks_disable(task_id: str, key: KeyOpt = "operator", node_url: NodeOpt = DEFAULT_NODE,
                  keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
                  as_json: JsonOpt = False) -> None:
    """The operator disables a task."""
    _set_task(task_id, False, key, node_url, keyring, home, as_json)


@tasks_app.command("set")
def tasks_set(task_id: str,
              title: Annotated[str, typer.Option(help="What residents see.")],
              category: Annotated[str, typer.Option(help="e.g. daily, shopping, travel.")],
              force: Annotated[int, typer.Option(min=0, help="Force per completion.")],
              days: Annotated[int, typer.Option(min=0, help="Lifetime in days; 0 = permanent.")]
              = 0,
              limit: Annotated[str, typer.Option(help="once, daily:N or unlimited.")] = "once",
              attester: Annotated[str, typer.Option(
                  help="resident, operator, verifier, business or business:<address>.")]
              = "resident",
              enabled: Annotated[bool, typer.Option("--enabled/--disabled")] = True,
              key: KeyOpt = "operator", node_url: NodeOpt = DEFAULT_NODE,
              keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
              as_json: JsonOpt = False) -> None:
    """The operator adds a task to the catalog or changes one (never emission)."""
    from planet.core.force.messages import UpsertTask

    with errors(as_json):
        api = client(home, node_url)
        api.send(load_wallet(key, keyring, home), UpsertTask(
            id=task_id, title=title, category=category, force=force, duration_days=days,
            limit=limit, attester=attester, enabled=enabled))
        emit(api.query("force/task", id=task_id), as_json, title="Task", human=Human(api))


@tasks_app.command("attest")
def tasks_attest(task_id: str,
                 residents: Annotated[list[str], typer.Argument(
                     callback=check_address, help="Resident addresses.")],
                 key: KeyOpt, node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
                 home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """Attest completions of TASK_ID, one per address (a business, verifier or operator,
    as the task names; a business within its daily Force quota)."""
    from planet.core.force.messages import AttestTasks

    with errors(as_json):
        attester = load_wallet(key, keyring, home)
        outcome = client(home, node_url).send(
            attester, AttestTasks(task_id=task_id, residents=tuple(residents)))
    granted = [e["attributes"] for e in outcome.events if e["type"] == "force/granted"]
    emit({"task": task_id, "granted": len(granted),
          "force": sum(int(g["force"]) for g in granted), "height": outcome.height}, as_json,
         title="Attested")


@business_app.command("purse")
def business_purse(business: AddressArg, node_url: NodeOpt = DEFAULT_NODE,
                   home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """A business's diamonds (earned from redemptions; spent on data requests)."""
    with errors(as_json):
        purse = client(home, node_url).query("exchange/purse", business=business)
    emit(purse, as_json, title="Purse", human=Human(), bd=("balance",))


@business_app.command("quota")
def business_quota(business: AddressArg,
                   daily_force: Annotated[int | None, typer.Argument(
                       help="New daily Force quota (operator); omit to show it.")] = None,
                   key: KeyOpt = "operator", node_url: NodeOpt = DEFAULT_NODE,
                   keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
                   as_json: JsonOpt = False) -> None:
    """Show a business's daily Force quota, or (operator) set it."""
    from planet.core.force.messages import SetBusinessQuota

    with errors(as_json):
        api = client(home, node_url)
        if daily_force is not None:
            api.send(load_wallet(key, keyring, home),
                     SetBusinessQuota(business=business, daily_force=daily_force))
        emit(api.query("force/quota", address=business), as_json, title="Business quota",
             human=Human(api))


@app.command()
def simulate(residents: Annotated[int, typer.Option(min=1, help="Population to grow to.")] = 1_000,
             days: Annotated[int, typer.Option(min=1, help="Simulated days.")] = 30,
             seed: Annotated[int, typer.Option(help="Same seed, same planet.")] = 1,
             block_minutes: Annotated[int, typer.Option(min=1, max=1440)] = 60,
             plots: Annotated[Path | None, typer.Option(help="Folder for the PNG plots.")] = None,
             as_json: JsonOpt = False) -> None:
    """Run the real core on a simulated clock and population; print the economy's totals."""
    from planet.sim.report import run_simulation
    from planet.sim.world import SimConfig

    config = SimConfig(residents=residents, days=days, seed=seed, block_minutes=block_minutes)
    with errors(as_json):
        if as_json:
            summary = run_simulation(config, plots)
        else:
            with Progress(console=console, transient=True) as bar:
                task = bar.add_task("simulating days", total=days)
                summary = run_simulation(config, plots,
                                         lambda done, _total: bar.update(task, completed=done))
    summary.pop("config")
    emit(summary, as_json, title=f"Simulated {days} days of {residents} residents",
         human=Human())


# --- benchmarks ------------------------------------------------------------------------------


@bench_app.command("ledger")
def bench_ledger(txs: Annotated[int, typer.Option(help="Signed txs to finalize.")] = 40_000,
                 as_json: JsonOpt = False) -> None:
    """Signed tx/s finalized by the embedded engine, latency, Ed25519 verify baseline."""
    from planet.bench.ledger import run_ledger_bench

    emit(run_ledger_bench(txs, progress=not as_json), as_json, title="Ledger benchmark")


@bench_app.command("registrations")
def bench_registrations(
        count: Annotated[int, typer.Option(help="Registrations to finalize.")] = 300_000,
        as_json: JsonOpt = False) -> None:
    """Registrations per second through the embedded engine (target: 300,000 in 60 s)."""
    from planet.bench.ledger import run_registration_bench

    emit(run_registration_bench(count, progress=not as_json), as_json,
         title="Registration benchmark")


@bench_app.command("economy")
def bench_economy(
        sizes: Annotated[str, typer.Option(
            help="Resident counts, comma-separated; all run in this one process.")
        ] = "1000,100000,1000000",
        as_json: JsonOpt = False) -> None:
    """Block and collect cost against the number of residents (target: flat, ≤ 1.5×)."""
    from planet.bench.economy import run_economy_bench

    try:
        counts = [int(s) for s in sizes.split(",") if s.strip()]
    except ValueError:
        fail(f"--sizes: comma-separated whole numbers, got {sizes!r}", as_json=as_json)
    if not counts or min(counts) < 1_000:
        fail("--sizes: resident counts of at least 1000 (the residents who sign the blocks' "
             "transactions are among them)", as_json=as_json)
    emit(run_economy_bench(counts, progress=not as_json), as_json, title="Economy benchmark")


@bench_app.command("scale")
def bench_scale(
        sizes: Annotated[str, typer.Option(
            help="Resident counts, comma-separated; each measured in fresh processes.")
        ] = "10000,100000,1000000",
        cache_dir: Annotated[Path, typer.Option(
            help="Where built databases are kept and reused (keyed by the code that built "
                 "them).")] = Path("build/scale"),
        batch: Annotated[int, typer.Option(min=1, help="Residents per block while building.")
                         ] = 50_000,
        empty_blocks: Annotated[int, typer.Option(min=1, help="Empty blocks timed.")] = 20,
        tx_blocks: Annotated[int, typer.Option(min=2, help="Blocks of transactions timed.")
                             ] = 10,
        txs_per_block: Annotated[int, typer.Option(min=2, help="Transactions per block (even).")
                                 ] = 200,
        queries: Annotated[int, typer.Option(min=1, help="Holder queries timed, cold and warm.")
                           ] = 50,
        in_place: Annotated[bool, typer.Option(
            "--in-place", help="Measure the cached database itself (no copy; it is then "
                               "dropped from the cache): for sizes the disk holds once.")] = False,
        bulk_from: Annotated[int, typer.Option(
            min=1, help="Sizes from this count are built in bulk (the rules' records, then the "
                        "tree once; a killed build resumes).")] = 2_000_000,
        as_json: JsonOpt = False) -> None:
    """Node memory, restart, block cost, holder queries and proofs against the number of
    residents, the state on disk (targets at 10⁶: ≤ 1.5 GB, ≤ 10 s; ratios to 10⁴)."""
    from planet.bench.scale import Repeats, run_scale_bench

    try:
        counts = [int(s) for s in sizes.split(",") if s.strip()]
    except ValueError:
        fail(f"--sizes: comma-separated whole numbers, got {sizes!r}", as_json=as_json)
    if not counts or txs_per_block % 2:
        fail("--sizes needs at least one count, --txs-per-block an even number",
             as_json=as_json)
    repeats = Repeats(empty_blocks=empty_blocks, tx_blocks=tx_blocks,
                      txs_per_block=txs_per_block, queries=queries)
    with errors(as_json):
        try:
            result = run_scale_bench(counts, cache_dir=cache_dir, batch=batch, repeats=repeats,
                                     in_place=in_place, progress=not as_json,
                                     bulk_from=bulk_from)
        except RuntimeError as err:
            fail(str(err), as_json=as_json)
    if as_json:
        emit(result, as_json)
        return
    columns = {"residents": "residents", "db_mb": "db_mb", "rss_mb": "rss_mb",
               "restart_s": "restart_s", "empty_block_ms": "empty_ms",
               "block_200_ms": "block_200_ms", "holder_query_cold_ms": "query_ms",
               "proof_bytes": "proof_b"}
    emit([{short: r[c] for c, short in columns.items()} for r in result["sizes"]], False,
         title="Scale benchmark (more with --json)")
    emit(result["ratios"], False, title=f"Ratios {result['ratio_of'][0]:,} / "
                                        f"{result['ratio_of'][1]:,} residents")
    emit({k: f"{t['value']} (target ≤ {t['target']}: {'met' if t['met'] else 'NOT met'})"
          for k, t in result["targets"].items()}, False, title="Targets")


@bench_app.command("vault")
def bench_vault(
        size_mb: Annotated[float, typer.Option(
            min=0.001, help="Blob size in MiB (a 64 KiB blob is measured too).")] = 1.0,
        repeat: Annotated[int, typer.Option(min=1, help="Samples per blob figure.")] = 5,
        records: Annotated[int, typer.Option(min=1, help="Records granted (one per "
                                                         "resident, then in grants of 64).")
                           ] = 1_000,
        postgres: Annotated[str | None, typer.Option(
            "--postgres", help="postgresql:// URL: also measure the PostgreSQL blob store.")
        ] = None,
        as_json: JsonOpt = False) -> None:
    """Blob upload/download MiB/s through the API against a plain file copy, and the time
    to grant records to a business (HPKE reseal + signed transactions + commit)."""
    from planet.bench.vault import run_vault_bench, vault_tables

    with errors(as_json):
        result = run_vault_bench(size_mb, repeat=repeat, records=records, postgres=postgres,
                                 progress=not as_json)
    if as_json:
        emit(result, as_json)
        return
    for table in vault_tables(result):
        console.print(table)


@bench_app.command("api")
def bench_api(
        seconds: Annotated[float, typer.Option(min=1, help="Seconds per read figure.")] = 10.0,
        residents: Annotated[int, typer.Option(min=1, help="Residents seeded.")] = 200,
        connections: Annotated[int, typer.Option(min=1, help="Read connections.")] = 64,
        txs: Annotated[int, typer.Option(min=1, help="Transactions posted.")] = 4_000,
        tx_clients: Annotated[int, typer.Option(min=1, help="Concurrent tx clients.")] = 256,
        port: Annotated[int | None, typer.Option(help="Node port (default: a free one).")
                        ] = None,
        as_json: JsonOpt = False) -> None:
    """Read requests/s and p50/p99 latency through the HTTP API (wrk), and committed
    transactions/s through POST /v1/txs, against a real node on loopback."""
    from planet.bench.api import run_api_bench

    with errors(as_json):
        result = run_api_bench(seconds=seconds, residents=residents, connections=connections,
                               txs=txs, tx_clients=tx_clients, port=port,
                               progress=not as_json)
    emit(result, as_json, title="API benchmark")


@bench_app.command("web")
def bench_web(repeats: Annotated[int, typer.Option(min=1, help="Loads of each kind.")] = 7,
              as_json: JsonOpt = False) -> None:
    """The web app on a throttled phone (CPU x4, 150 ms RTT, 1.6 Mbit/s): gzip bytes the page
    loads, and medians of first paint and of the resident's balance shown, cold and warm."""
    from planet.bench.web import run_web_bench

    with errors(as_json):
        result = run_web_bench(repeats=repeats, progress=not as_json)
    emit(result, as_json, title="Web benchmark")


@bench_app.command("cluster")
def bench_cluster(
        txs: Annotated[int, typer.Option(min=1, help="Registrations per engine.")] = 6_000,
        clients: Annotated[int, typer.Option(
            min=1, help="Concurrent tx clients of the embedded node.")] = 256,
        cluster_clients: Annotated[int | None, typer.Option(
            min=1, help="Concurrent tx clients of the network (default: 4 × --clients).")] = None,
        validators: Annotated[int, typer.Option(min=1, max=16, help="Validators.")] = 4,
        base_port: Annotated[int | None, typer.Option(
            help="The network's first port (default: a free block).")] = None,
        kvstore_seconds: Annotated[int, typer.Option(
            min=1, help="Seconds of loadtime load on the kvstore baseline network.")] = 30,
        kvstore_rate: Annotated[int, typer.Option(
            min=1, help="Txs/s loadtime offers to each kvstore validator (2,500 × 4 is past what "
                        "the kvstore network commits on 2 cores: a baseline at saturation).")] = 2_500,
        embedded: Annotated[bool, typer.Option(
            "--embedded/--no-embedded", help="Also measure the embedded engine.")] = True,
        as_json: JsonOpt = False) -> None:
    """Finalized tx/s and submit-to-commit latency of a CometBFT validator network on
    loopback, beside CometBFT's kvstore network loaded by its loadtime client and the
    embedded engine, same run (target: ratio_vs_kvstore >= 0.5)."""
    from planet.bench.cluster import run_cluster_bench
    from planet.testnet.network import TestnetError

    try:
        with errors(as_json):
            result = run_cluster_bench(txs=txs, clients=clients, cluster_clients=cluster_clients,
                                       validators=validators, base_port=base_port,
                                       kvstore_seconds=kvstore_seconds,
                                       kvstore_rate=kvstore_rate, embedded=embedded,
                                       progress=not as_json)
    except TestnetError as err:
        fail(str(err), as_json=as_json)
    emit(result, as_json, title="Cluster benchmark")


@bench_app.command("statesync")
def bench_statesync(
        residents: Annotated[int, typer.Option(min=1, help="Residents registered first.")]
        = 500,
        lengths: Annotated[str, typer.Option(
            help="Chain lengths at which a node joins, increasing, comma-separated.")]
        = "50,500",
        interval: Annotated[int, typer.Option(min=1, help="Blocks between snapshots.")] = 10,
        replay: Annotated[bool, typer.Option(
            "--replay/--no-replay",
            help="Also time a node that replays every block, at each length.")] = True,
        as_json: JsonOpt = False) -> None:
    """Seconds for a node to join a 4-validator network by state sync (until its app hash
    is the validators'), at two chain lengths with the same state: it must not grow with
    the chain."""
    from planet.bench.statesync import run_statesync_bench
    from planet.testnet.network import TestnetError

    try:
        points = [int(x) for x in lengths.split(",") if x.strip()]
    except ValueError:
        fail(f"--lengths: integers, comma-separated, not {lengths!r}", 2, as_json=as_json)
    try:
        with errors(as_json):
            result = run_statesync_bench(residents=residents, lengths=points,
                                         interval=interval, replay=replay,
                                         progress=not as_json)
    except TestnetError as err:
        fail(str(err), as_json=as_json)
    emit(result, as_json, title="State sync benchmark")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
