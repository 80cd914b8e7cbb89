"""What every CLI command shares: options, output (Rich or --json), errors, key loading, and
which node a command talks to."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from planet.cli.view import Human, record_table, rows_table
from planet.core.errors import PlanetError
from planet.node.home import DEFAULT_HOME, Home
from planet.sdk.client import NodeError, PlanetClient
from planet.sdk.wallet import Wallet

console = Console()
err_console = Console(stderr=True)


def check_address(value: str | list[str] | None) -> str | list[str] | None:
    """Bad usage, caught before any node is asked: a malformed address exits 2."""
    from planet.core.address import parse_address

    for text in [] if value is None else value if isinstance(value, list) else [value]:
        try:
            parse_address(text)
        except (PlanetError, ValueError) as err:
            raise typer.BadParameter(f"'{text}': {getattr(err, 'message', err)}") from None
    return value


def check_invite(value: str | None) -> str | None:
    from planet.core.accounts.codes import normalize_invite_code

    if value is not None:
        try:
            normalize_invite_code(value)
        except PlanetError as err:
            raise typer.BadParameter(err.message) from None
    return value


_ON_COMMAND_LINE: dict[str, bool] = {}


def _note_source(ctx: typer.Context, param: typer.CallbackParam, value: Any) -> Any:
    """Remember whether --home / --node came from this command line (rather than the
    environment or the default): the command line wins when they disagree."""
    source = ctx.get_parameter_source(param.name or "")
    _ON_COMMAND_LINE[param.name or ""] = source is not None and source.name == "COMMANDLINE"
    return value


HomeOpt = Annotated[Path, typer.Option(
    "--home", envvar="PLANET_HOME", callback=_note_source,
    help="Node home folder: its keys, and the node it serves (config.json's API address).")]
NodeOpt = Annotated[str | None, typer.Option(
    "--node", envvar="PLANET_NODE", show_default=False, callback=_note_source,
    help="Node API URL (default: the one HOME's config.json serves on).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object for scripts.")]
KeyOpt = Annotated[str, typer.Option("--key", "-k", help="Key name in the keyring.")]
KeyringOpt = Annotated[Path | None, typer.Option(
    "--keyring", envvar="PLANET_KEYRING", help="Keyring folder (default: HOME/keys).")]
AddressArg = Annotated[str, typer.Argument(callback=check_address, help="An address "
                                                                         "(planet1…).")]
InviteOpt = Annotated[str, typer.Option(callback=check_invite, help="Invitation code.")]

DEFAULT_HOME_PATH = DEFAULT_HOME
DEFAULT_NODE = None

EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3


def fail(message: str, code: int = EXIT_REFUSED, *, as_json: bool = False,
         details: dict[str, Any] | None = None) -> NoReturn:
    if as_json:
        print(json.dumps({"ok": False, "message": message, **(details or {})}))
    else:
        err_console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


@contextmanager
def errors(as_json: bool = False) -> Iterator[None]:
    """Turn known errors into a clear message and an exit code; never a traceback."""
    try:
        yield
    except NodeError as err:
        code = EXIT_UNREACHABLE if err.status == 0 else EXIT_REFUSED
        fail(err.message, code, as_json=as_json, details={"code": err.code, "error": err.error})
    except PlanetError as err:
        fail(err.message, EXIT_REFUSED, as_json=as_json, details=err.to_dict())
    except (FileNotFoundError, FileExistsError, ValueError) as err:
        fail(str(err), EXIT_USAGE, as_json=as_json)


def emit(data: Any, as_json: bool, *, title: str | None = None, human: Human | None = None,
         bd: Iterable[str] = ()) -> None:
    """Print `data` as raw JSON, or for people: a record's fields read by the API's naming
    convention (BD, local times, durations; see planet.cli.view), a list as a table."""
    if as_json:
        print(json.dumps(data, indent=None, default=str))
        return
    if isinstance(data, dict):
        console.print(record_table((human or Human()).record(data, bd=bd), title))
    elif isinstance(data, list) and data and isinstance(data[0], dict):
        console.print(rows_table(data, [(str(c), itemgetter(c)) for c in data[0]], title))
    else:
        console.print(data)


def keyring_dir(keyring: Path | None, home: Path) -> Path:
    return keyring if keyring is not None else Home(home).keys_dir


def key_password() -> str | None:
    return os.environ.get("PLANET_PASSWORD") or None


def load_wallet(name: str, keyring: Path | None, home: Path) -> Wallet:
    from planet.sdk.keys import load_keystore

    path = keyring_dir(keyring, home) / f"{name}.json"
    if not path.exists():
        raise FileNotFoundError(f"no key named '{name}' in {path.parent} (see `planet keys list`)")
    data = json.loads(path.read_text())
    password = key_password()
    if data.get("encrypted") and password is None:
        if not sys.stdin.isatty():
            raise ValueError(f"key '{name}' is encrypted: set PLANET_PASSWORD")
        password = typer.prompt(f"Password for key '{name}'", hide_input=True)
    return load_keystore(path, password)


def node_url(home: Path, node: str | None) -> str:
    """The node a command talks to. The command line wins over the environment: --node,
    then --home (the address its config.json serves on), then PLANET_NODE, then the
    config.json of PLANET_HOME (or ~/.planet). A --home that holds no node is bad usage,
    never a silent fall back to some other node."""
    given = _ON_COMMAND_LINE
    if node is not None and (given.get("node_url", False) or not given.get("home", False)):
        return node
    h = Home(home)
    if given.get("home", False) and not h.config_file.exists():
        raise FileNotFoundError(f"{home} is not a node home (no config.json); run "
                                f"`planet init --home {home}` or pass --node URL")
    return h.load_config().api_url


def client(home: Path, node: str | None) -> PlanetClient:
    """A client of the node `node_url` names; every command that talks to a node uses it."""
    return PlanetClient(node_url(home, node))
