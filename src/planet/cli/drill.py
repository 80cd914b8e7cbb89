"""`planet drill`: the Lucky Drill for residents, the operator, and anyone re-checking."""

from __future__ import annotations

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
    emit,
    errors,
    load_wallet,
)
from planet.core.drill.messages import EnterRound
from planet.node.home import Home

drill_app = typer.Typer(help="Lucky Drill: enter the daily round, see draws, re-check them.",
                        invoke_without_command=True)


@drill_app.callback()
def drill_status(ctx: typer.Context, node_url: NodeOpt = DEFAULT_NODE,
                 address: Annotated[str | None, typer.Option(help="Say if this resident entered.")]
                 = None, as_json: JsonOpt = False) -> None:
    """The round open now, the jackpot, and what entering takes."""
    if ctx.invoked_subcommand is not None:
        return
    with errors(as_json):
        args = {"address": address} if address else {}
        emit(client(node_url).query("drill/current", **args), as_json, title="Lucky Drill")


@drill_app.command("enter")
def drill_enter(key: KeyOpt, node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
                home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """Enter the open round (pays the entry fee in Force)."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        api = client(node_url)
        current = api.query("drill/current", address=wallet.address)
        outcome = api.send(wallet, EnterRound(round=int(current["round"])))
        force = api.query("force/force", address=wallet.address)["force"]
    emit({"resident": wallet.address, "round": current["round"], "force_left": force,
          "closes_at": current["closes_at"], "height": outcome.height}, as_json,
         title="Entered the Lucky Drill")


@drill_app.command("rounds")
def drill_rounds(limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
                 node_url: NodeOpt = DEFAULT_NODE, as_json: JsonOpt = False) -> None:
    """The latest rounds, newest first."""
    with errors(as_json):
        rounds = client(node_url).query("drill/rounds", limit=limit)
    if not as_json:
        rounds = [{k: r[k] for k in ("round", "state", "entries", "winners", "prize_each")}
                  for r in rounds]
    emit(rounds, as_json, title="Lucky Drill rounds")


@drill_app.command("round")
def drill_round(number: int, node_url: NodeOpt = DEFAULT_NODE, as_json: JsonOpt = False) -> None:
    """One round in full: commitment, seal block, secret, winners, prize."""
    with errors(as_json):
        emit(client(node_url).query("drill/round", round=number), as_json,
             title=f"Round {number}")


@drill_app.command("verify")
def drill_verify(number: int, node_url: NodeOpt = DEFAULT_NODE, as_json: JsonOpt = False) -> None:
    """Re-check a draw from public data: the commitment predates the round, the secret
    matches it, the seal block's hash is the chain's, and the winners redraw the same."""
    from planet.sdk.drill import verify_round

    with errors(as_json):
        report = verify_round(client(node_url), number)
    emit(report, as_json, title=f"Round {number}: " + ("verified" if report["ok"] else "FAILED"))
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
        rounds = commit_rounds(client(node_url), operator,
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
        rounds = reveal_due(client(node_url), operator,
                            SecretStore(Home(home).drill_secrets_dir))
    emit({"revealed": rounds}, as_json, title="Revealed")
