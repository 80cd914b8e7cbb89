"""`planet demo`: generate a living planet once, then run its node and say how to log in."""

from __future__ import annotations

import dataclasses
import json
import shlex
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.panel import Panel
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from planet.cli.common import JsonOpt, console, errors, fail
from planet.node.home import Home

ROLE_PAGES = {"operator": "/#/operator", "business": "/#/business", "resident": "/#/resident"}


def demo(home: Annotated[Path, typer.Option(
             "--home", help="Demo home folder (kept apart from your own node's).")
         ] = Path(".planet-demo"),
         residents: Annotated[int, typer.Option(min=10, help="Residents to grow to.")] = 1_000,
         days: Annotated[int, typer.Option(min=1, max=365, help="Days of history.")] = 90,
         seed: Annotated[int, typer.Option(help="Same seed, same world and keys.")] = 1,
         host: Annotated[str, typer.Option(help="API host.")] = "127.0.0.1",
         port: Annotated[int, typer.Option(help="API port.")] = 7070,
         fresh: Annotated[bool, typer.Option(
             "--fresh", help="Generate a new world even if the home holds one.")] = False,
         run: Annotated[bool, typer.Option(
             "--run/--no-run", help="Run the node after generating (default) or just exit.")
         ] = True,
         as_json: JsonOpt = False) -> None:
    """Start a demo planet: ~1,000 residents, 5 businesses, months of history ending now.

    The first run generates the world through a real node (about a minute); later runs reuse
    it. Prints the web app's address and the 24 words to restore the operator, a business
    and a resident in the browser (Wallet → Restore).
    """
    from planet.demo.world import generate, is_complete, load_info

    h = Home(home)
    with errors(as_json):
        if h.exists() and load_info(h) is None and not fresh:
            fail(f"{home} holds a node that is not a demo; choose another --home or pass "
                 "--fresh to replace it", 2, as_json=as_json)
        if fresh or not is_complete(h):
            info = _generate(generate, home, residents, days, seed, quiet=as_json)
        else:
            info = load_info(h)
            assert info is not None
    url = f"http://{host}:{port}"
    with errors(as_json):  # so that `planet … --home HOME` finds this node where it serves
        config = h.load_config()
        if (config.api_host, config.api_port) != (host, port):
            h.save_config(dataclasses.replace(config, api_host=host, api_port=port))
    if not run:
        _show(info.to_json(), url, None, as_json, home)
        return

    from planet.engines.embedded import EmbeddedNode
    from planet.node.run import run_node

    def ready(node: EmbeddedNode, _url: str) -> None:
        _show(info.to_json(), url, node, as_json, home)

    with errors(as_json):
        run_node(h, host, port, on_ready=ready)


def _generate(generate: Any, home: Path, residents: int, days: int, seed: int,
              quiet: bool) -> Any:
    if quiet:
        return generate(home, residents, days, seed)
    columns = (TextColumn("[bold]generating the demo planet[/] day {task.completed}/{task.total}"),
               BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("days", total=days)
        info = generate(home, residents, days, seed,
                        progress=lambda done, _total: bar.update(task, completed=done))
    console.print(f"Generated {days} days of {residents} residents: {info.blocks:,} blocks, "
                  f"{info.txs:,} transactions in {info.generation_seconds:.0f} s "
                  f"(home {home})")
    return info


def _unused(node: Any, codes: list[str]) -> list[str]:
    """Codes nobody has registered with yet (all of them when no node is open)."""
    if node is None:
        return codes
    out = []
    for code in codes:
        try:
            if not node.query("accounts/invite", {"code": code}).get("used_by"):
                out.append(code)
        except Exception:  # an unknown code is simply not offered
            continue
    return out


def _show(info: dict[str, Any], url: str, node: Any, as_json: bool, home: Path) -> None:
    from planet.demo.world import DemoAccount, key_name

    logins = [a for a in info["accounts"] if a["role"] in ROLE_PAGES]
    logins = [next(a for a in logins if a["role"] == role) for role in ROLE_PAGES]
    resident_codes = _unused(node, info["resident_codes"])
    spare_codes = _unused(node, info["spare_codes"])[:5]
    if as_json:
        print(json.dumps({
            "web": f"{url}/", "docs": f"{url}/docs", "explorer": f"{url}/#/explorer",
            "height": node.height if node is not None else info["blocks"],
            "accounts": [{k: a[k] for k in ("role", "name", "address", "mnemonic")}
                         for a in logins],
            "resident_invite_codes": resident_codes, "spare_invite_codes": spare_codes}),
            flush=True)
        return
    links = Table.grid(padding=(0, 2))
    links.add_row("Web app", f"[link={url}/]{url}/[/]")
    links.add_row("API docs", f"{url}/docs")
    links.add_row("Explorer", f"{url}/#/explorer")
    console.print(Panel(links, title=f"[bold green]Planet demo[/]: {info['residents']:,} "
                                     f"residents, {info['days']} days of history",
                        expand=False))
    console.print("Log in: open the page, [bold]Restore from words[/] (Wallet → Restore), paste "
                  "the 24 words.")
    for account in logins:  # soft wrap: words and codes copy as one line
        console.print(f"\n[bold cyan]{account['role'].capitalize()}[/] {account['name']} "
                      f"({url}{ROLE_PAGES[account['role']]})\n  address {account['address']}\n"
                      f"  words   [yellow]{account['mnemonic']}[/]", soft_wrap=True)
    console.print(f"\nThe resident's invitation codes to share: {', '.join(resident_codes)}",
                  soft_wrap=True)
    console.print(f"Unused codes for a new resident: {', '.join(spare_codes)}", soft_wrap=True)
    keys = [key_name(DemoAccount(**a)) for a in logins]
    at = f"--home {shlex.quote(str(home))}"
    console.print(f"\nThe CLI reaches this node and its keys with {at} on any command; sign "
                  f"with {', '.join(f'--key {k}' for k in keys)}:\n"
                  f"  planet status {at}\n  planet query holder {at} "
                  f"{next(a['address'] for a in logins if a['role'] == 'resident')}\n"
                  f"  planet collect {at} --key {keys[-1]}", style="dim", soft_wrap=True)
    console.print("Ctrl-C stops the node; `planet demo` again resumes this planet "
                  "(`--fresh` for a new one).", style="dim")
