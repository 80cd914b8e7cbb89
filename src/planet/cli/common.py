"""What every CLI command shares: options, output (Rich or --json), errors, key loading."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from planet.core.errors import PlanetError
from planet.node.home import DEFAULT_API, DEFAULT_HOME, Home
from planet.sdk.client import NodeError, PlanetClient
from planet.sdk.wallet import Wallet

console = Console()
err_console = Console(stderr=True)

HomeOpt = Annotated[Path, typer.Option("--home", envvar="PLANET_HOME", help="Node home folder.")]
NodeOpt = Annotated[str, typer.Option("--node", envvar="PLANET_NODE", help="Node API URL.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object for scripts.")]
KeyOpt = Annotated[str, typer.Option("--key", "-k", help="Key name in the keyring.")]
KeyringOpt = Annotated[Path | None, typer.Option(
    "--keyring", envvar="PLANET_KEYRING", help="Keyring folder (default: HOME/keys).")]

DEFAULT_HOME_PATH = DEFAULT_HOME
DEFAULT_NODE = DEFAULT_API

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


def emit(data: Any, as_json: bool, *, title: str | None = None) -> None:
    """Print `data` as JSON, or as a table / key-value list for people."""
    if as_json:
        print(json.dumps(data, indent=None, default=str))
        return
    if isinstance(data, dict):
        table = Table(title=title, show_header=False, box=None)
        table.add_column(style="bold cyan")
        table.add_column()
        for k, v in data.items():
            table.add_row(str(k), v if isinstance(v, str) else json.dumps(v, default=str))
        console.print(table)
    elif isinstance(data, list) and data and isinstance(data[0], dict):
        table = Table(title=title)
        for col in data[0]:
            table.add_column(str(col))
        for row in data:
            table.add_row(*(str(row.get(c, "")) for c in data[0]))
        console.print(table)
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


def client(node: str) -> PlanetClient:
    return PlanetClient(node)
