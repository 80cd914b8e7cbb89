"""`planet business apply|applications|application|approve|decline|withdraw`: a business
applies on the ledger with its new key; the operator reads the queue and decides."""

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
    client,
    console,
    emit,
    errors,
    load_wallet,
)
from planet.cli.view import Human, rows_table, short_address

IdArg = Annotated[int, typer.Argument(min=1, help="The application's id (see `planet business "
                                                  "applications`).")]


def show(application: dict[str, Any], human: Human) -> dict[str, Any]:
    """An application as people read it: the decision's time only once there is one."""
    shown = {k: v for k, v in application.items()
             if k not in ("public_key", "encryption_key", "applied_height", "decided_height")}
    if application["status"] == "pending":
        shown.pop("decided_at")
        shown.pop("reason")
    elif not application["reason"]:
        shown.pop("reason")
    return human.record(shown)


def business_apply(key: KeyOpt,
                   name: Annotated[str, typer.Option(help="The business's name (80 characters).")],
                   contact: Annotated[str, typer.Option(
                       help="A public contact: phone, e-mail or site (120 bytes).")],
                   offers: Annotated[str, typer.Option(
                       help="What it offers residents, in a line (240 bytes).")],
                   node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
                   home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """Apply as a business, signed by KEY (a new key: no account needed). The operator
    approves or declines; `planet business application --key KEY` shows the status."""
    with errors(as_json):
        wallet = load_wallet(key, keyring, home)
        api = client(home, node_url)
        app_id = api.apply_business(wallet, name, contact, offers)
        application = api.application(app_id)
    if as_json:
        emit(application, True)
        return
    console.print(f"Application {app_id} sent; it waits for the operator's decision.")
    console.print(rows_table([show(application, Human(api))],
                             [("id", lambda a: a["id"]), ("status", lambda a: a["status"])]))


def business_applications(limit: Annotated[int, typer.Option(min=1, max=100)] = 50,
                          after: Annotated[int, typer.Option(
                              min=0, help="Start after this id (a previous page's last).")] = 0,
                          node_url: NodeOpt = DEFAULT_NODE, home: HomeOpt = DEFAULT_HOME_PATH,
                          as_json: JsonOpt = False) -> None:
    """The operator's queue: applications waiting for a decision, oldest first."""
    with errors(as_json):
        api = client(home, node_url)
        page = api.applications(limit=limit, after=after)
    if as_json:
        emit(page, True)
        return
    if not page["items"]:
        console.print("no application is waiting")
        return
    human = Human(api)
    console.print(rows_table(page["items"], [
        ("id", lambda a: a["id"]), ("name", lambda a: a["name"]),
        ("contact", lambda a: a["contact"]), ("offers", lambda a: a["offers"]),
        ("applicant", lambda a: short_address(a["applicant"])),
        (f"applied ({human.offset})", lambda a: human.when(a["applied_at"]))],
        f"Applications waiting ({page['pending']})", wrap=("offers", "contact")))
    if page["next_after"] is not None:
        console.print(f"more: --after {page['next_after']}")


def business_application(app_id: Annotated[int | None, typer.Argument(
                             min=1, help="The application's id; or give --key.")] = None,
                         key: Annotated[str | None, typer.Option(
                             "--key", "-k", help="The applicant's key: its latest application.")
                         ] = None,
                         node_url: NodeOpt = DEFAULT_NODE, keyring: KeyringOpt = None,
                         home: HomeOpt = DEFAULT_HOME_PATH, as_json: JsonOpt = False) -> None:
    """One application's status: pending, approved, declined (with the reason) or withdrawn."""
    with errors(as_json):
        api = client(home, node_url)
        if app_id is not None:
            application: dict[str, Any] | None = api.application(app_id)
        elif key is not None:
            application = api.application_of(load_wallet(key, keyring, home).address)[
                "application"]
        else:
            raise ValueError("give the application's id or --key")
    if application is None:
        emit(None if as_json else "this key has not applied", as_json)
        return
    emit(application if as_json else show(application, Human(api)), as_json,
         title=f"Application {application['id']}")


def business_approve(app_id: IdArg,
                     quota: Annotated[int | None, typer.Option(
                         min=0, help="Its daily Force quota, set in the same transaction "
                                     "(default: the chain's).")] = None,
                     yes: Annotated[bool, typer.Option("--yes", "-y",
                                                       help="Do not ask to confirm.")] = False,
                     key: KeyOpt = "operator", node_url: NodeOpt = DEFAULT_NODE,
                     keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
                     as_json: JsonOpt = False) -> None:
    """(Operator) Approve an application: its key is registered as a business with the
    application's name and keys."""
    with errors(as_json):
        api = client(home, node_url)
        application = api.application(app_id)
        if not (yes or as_json) and not typer.confirm(
                f"Register {application['name']!r} ({application['applicant']}) as a business?"):
            raise typer.Abort()
        outcome = api.approve_application(load_wallet(key, keyring, home), app_id, quota)
        quota_now = api.query("force/quota", address=application["applicant"])
    emit({"application": app_id, "status": "approved", "business": application["applicant"],
          "name": application["name"], "daily_force": quota_now["daily_force"],
          "height": outcome.height}, as_json, title="Application approved")


def business_decline(app_id: IdArg,
                     reason: Annotated[str, typer.Option(
                         help="Why, in plain words (240 bytes; on the ledger for the "
                              "applicant to read).")],
                     key: KeyOpt = "operator", node_url: NodeOpt = DEFAULT_NODE,
                     keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
                     as_json: JsonOpt = False) -> None:
    """(Operator) Decline an application, saying why."""
    with errors(as_json):
        outcome = client(home, node_url).decline_application(
            load_wallet(key, keyring, home), app_id, reason)
    emit({"application": app_id, "status": "declined", "reason": reason,
          "height": outcome.height}, as_json, title="Application declined")


def business_withdraw(app_id: IdArg, key: KeyOpt, node_url: NodeOpt = DEFAULT_NODE,
                      keyring: KeyringOpt = None, home: HomeOpt = DEFAULT_HOME_PATH,
                      as_json: JsonOpt = False) -> None:
    """Withdraw your pending application (signed by the key that applied)."""
    with errors(as_json):
        outcome = client(home, node_url).withdraw_application(
            load_wallet(key, keyring, home), app_id)
    emit({"application": app_id, "status": "withdrawn", "height": outcome.height}, as_json,
         title="Application withdrawn")


COMMANDS = (("apply", business_apply), ("applications", business_applications),
            ("application", business_application), ("approve", business_approve),
            ("decline", business_decline), ("withdraw", business_withdraw))
