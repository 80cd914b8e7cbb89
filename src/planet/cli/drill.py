"""`planet drill`: the Lucky Drill for residents, the operator, and anyone re-checking."""

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
from planet.cli.view import Human, record_table, rows_table, short_address
from planet.core.drill.messages import EnterRound
from planet.node.home import Home

NOT_OPEN = "not open yet"

drill_app = typer.Typer(help="Lucky Drill: enter the daily round, see draws, re-check them.",
                        invoke_without_command=True)


@drill_app.callback()
def drill_status(ctx: typer.Context, node_url: NodeOpt = DEFAULT_NODE,
                 home: HomeOpt = DEFAULT_HOME_PATH,
                 address: Annotated[str | None, typer.Option(
                     callback=check_address, help="Say if this resident entered.")] = None,
                 as_json: JsonOpt = False) -> None:
    """The round open now, the jackpot, and what entering takes."""
    if ctx.invoked_subcommand is not None:
        return
    with errors(as_json):
        api = client(home, node_url)
        current = api.query("drill/current", **({"address": address} if address else {}))
        if as_json:
            emit(current, as_json)
            return
        status = api.status()
        human = Human(api)
        shown = human.record(current)
        shown["closes at"] += f" (in {human.duration(current['closes_at'] - status['time'])})"
        console.print(record_table(shown, "Lucky Drill"))


@drill_app.command("enter")
def drill_enter(key: KeyOpt, node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
                home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """Enter the open round (pays the entry fee in Force)."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        api = client(home, node_url)
        current = api.query("drill/current", address=wallet.address)
        outcome = api.send(wallet, EnterRound(round=int(current["round"])))
        force = api.query("force/force", address=wallet.address)["force"]
        emit({"resident": wallet.address, "round": current["round"], "force_left": force,
              "closes_at": current["closes_at"], "height": outcome.height}, as_json,
             title="Entered the Lucky Drill", human=Human(api))


def _winners(r: dict[str, Any]) -> str:
    if r["winners"]:
        return ", ".join(short_address(w) for w in r["winners"])
    return "none" if r["state"] == "drawn" else ""


@drill_app.command("rounds")
def drill_rounds(limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
                 node_url: NodeOpt = DEFAULT_NODE, home: HomeOpt = DEFAULT_HOME_PATH,
                 as_json: JsonOpt = False) -> None:
    """The latest rounds, newest first (rounds committed ahead but not open yet are left
    out unless --json)."""
    with errors(as_json):
        api = client(home, node_url)
        if as_json:
            emit(api.query("drill/rounds", limit=limit), as_json)
            return
        rounds = api.query("drill/rounds", limit=100)
        ahead = [r["round"] for r in rounds if r["state"] == NOT_OPEN]
        rounds = [r for r in rounds if r["state"] != NOT_OPEN][:limit]
        human = Human(api)
        console.print(rows_table(rounds, [
            ("round", lambda r: r["round"]), ("state", lambda r: r["state"]),
            (f"closes ({human.offset})", lambda r: human.when(r["closes_at"])),
            ("entries", lambda r: r["entries"]), ("winners", lambda r: _winners(r)),
            ("prize each", lambda r: human.bd(r["prize_each"]) if r["winners"] else "")],
            title="Lucky Drill rounds", wrap=("winners",)))
        if ahead:
            console.print(f"[dim]Committed ahead, not open yet: round "
                          f"{', '.join(map(str, sorted(ahead)))}.[/]")


@drill_app.command("round")
def drill_round(number: int, node_url: NodeOpt = DEFAULT_NODE, home: HomeOpt = DEFAULT_HOME_PATH,
                as_json: JsonOpt = False) -> None:
    """One round in full: commitment, seal block, secret, winners, prize."""
    with errors(as_json):
        api = client(home, node_url)
        emit(api.query("drill/round", round=number), as_json, title=f"Round {number}",
             human=Human(api), bd=("prize_each",))


@drill_app.command("verify")
def drill_verify(number: int, node_url: NodeOpt = DEFAULT_NODE,
                 home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """Re-check a draw from public data: the commitment predates the round, the secret
    matches it, the seal block's hash is the chain's, and the winners redraw the same."""
    from planet.sdk.drill import verify_round

    with errors(as_json):
        api = client(home, node_url)
        report = verify_round(api, number)
        emit(report, as_json, human=Human(api),
             title=f"Round {number}: " + ("verified" if report["ok"] else "FAILED"))
    if not report["ok"]:
        raise typer.Exit(1)


@drill_app.command("commit")
def drill_commit(key: KeyOpt = "operator",
                 ahead: Annotated[int, typer.Option(min=1, max=64, help="Rounds to commit.")] = 3,
                 node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
                 home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """Operator: commit to the next rounds (secrets stay in HOME/secrets/drill)."""
    from planet.sdk.drill import SecretStore, commit_rounds

    with errors(as_json):
        operator = load_wallet(key, keyring, home)
        rounds = commit_rounds(client(home, node_url), operator,
                               SecretStore(Home(home).drill_secrets_dir), ahead)
    emit({"committed": rounds}, as_json, title="Committed")


@drill_app.command("reveal")
def drill_reveal(key: KeyOpt = "operator", node_url: NodeOpt = DEFAULT_NODE,
                 keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
                 as_json: JsonOpt = False) -> None:
    """Operator: reveal every sealed round whose secret this home holds (draws them)."""
    from planet.sdk.drill import SecretStore, reveal_due

    with errors(as_json):
        operator = load_wallet(key, keyring, home)
        rounds = reveal_due(client(home, node_url), operator,
                            SecretStore(Home(home).drill_secrets_dir))
    emit({"revealed": rounds}, as_json, title="Revealed")
