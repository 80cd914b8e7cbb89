"""End-to-end fixtures: a real node on a temp home and Debian's Chromium driven by Playwright.

Each test module gets its own node (so one story cannot disturb another's catalog), with
short blocks so bubbles grow within seconds. Each role gets its own browser context, so
keys made in one never leak into another, as with two people on two machines.
Screenshots go to $PLANET_SCREENSHOTS or build/screenshots/.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from planet.node.home import Home, init_home
from planet.sdk.client import PlanetClient
from planet.sdk.keys import load_keystore
from planet.sdk.wallet import Wallet
from tests.integration.nodeproc import NodeProcess, sent_code
from tests.require import missing
from tests.webdist import built_dist

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
BLOCK_INTERVAL_MS = 100
EMPTY_BLOCK_MS = 1_000  # a block at least every second, so times and bubbles move
VIEWPORT = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    path = Path(os.environ.get("PLANET_SCREENSHOTS") or ROOT / "build" / "screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def web_dist() -> Path:
    """The built web app; (re)built from web/ when stale and node and npm are there."""
    return built_dist()


@dataclass
class E2ENode:
    """A running node with its home, the operator's and verifier's keys and a client."""

    url: str
    home: Path
    chain_id: str
    operator: Wallet
    verifier: Wallet
    client: PlanetClient
    operator_keystore: Path

    def invite_codes(self, count: int = 1) -> list[str]:
        """Fresh invitation codes made by the operator with the Python SDK."""
        return self.client.create_invites(self.operator, count)

    def query(self, path: str, **args: Any) -> Any:
        return self.client.query(path, **args)

    @property
    def log(self) -> Path:
        return self.home / "node.log"

    def send_code(self, page: Any, phone: str) -> str:
        """Click the page's "send me a code" and read the code the node's development
        sender wrote to its log, as the resident would read it off their phone."""
        from playwright.sync_api import expect

        after = self.log.stat().st_size
        page.get_by_test_id("code-send").click()
        expect(page.get_by_test_id("code-sent")).to_contain_text(f"ending {phone[-4:]}")
        return sent_code(self.log, phone, after)

    def verify_in_page(self, page: Any, name: str, id_number: str, phone: str) -> None:
        """The onboarding's identity step, code and all."""
        page.get_by_test_id("id-name").fill(name)
        page.get_by_test_id("id-number").fill(id_number)
        page.get_by_test_id("id-phone").fill(phone)
        page.get_by_test_id("id-code").fill(self.send_code(page, phone))
        page.get_by_test_id("verify-submit").click()


@contextmanager
def running_node(path: Path, *, params: dict[str, Any] | None = None,
                 config: dict[str, Any] | None = None) -> Iterator[E2ENode]:
    """A real `planet node` (test preset, short blocks) on a fresh home at `path`, with
    genesis `params` and config.json entries over the defaults, killed afterwards."""
    home = init_home(path, "planet-e2e", preset="test")
    if params:
        genesis = json.loads(home.genesis_file.read_text())
        genesis["params"] = {**genesis.get("params", {}), **params}
        home.genesis_file.write_text(json.dumps(genesis, indent=2) + "\n")
    settings = json.loads(home.config_file.read_text())
    settings.update(block_interval_ms=BLOCK_INTERVAL_MS, empty_block_ms=EMPTY_BLOCK_MS,
                    **(config or {}))
    home.config_file.write_text(json.dumps(settings, indent=2) + "\n")
    proc = NodeProcess(path).start()
    client = PlanetClient(proc.url)
    keys = Home(path).keys_dir
    try:
        yield E2ENode(url=proc.url, home=path, chain_id="planet-e2e",
                      operator=load_keystore(keys / "operator.json", None),
                      verifier=load_keystore(keys / "verifier.json", None),
                      client=client, operator_keystore=keys / "operator.json")
    finally:
        client.close()
        proc.stop()


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory, web_dist: Path) -> Iterator[E2ENode]:
    """The module's node; a cohort of one, so one resident can complete a story's request."""
    with running_node(tmp_path_factory.mktemp("e2e-home"), params={"min_cohort": 1}) as started:
        yield started


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, launched by Playwright (never a downloaded browser).

    Per module, not per session: Playwright's sync API keeps an event loop running in the
    main thread while it lives, and later tests call asyncio.run()."""
    if not CHROMIUM.exists():
        missing("BROWSER", f"{CHROMIUM} is missing (scripts/install-chromium installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class PageErrors(list[str]):
    """Uncaught page errors and console errors seen by a page (tests may assert none)."""


@pytest.fixture
def new_page(browser: Any, node: E2ENode) -> Iterator[Callable[[str], Any]]:
    """`new_page(role)` → a Playwright page in a fresh browser context for that role, with
    base URL set to the node (so `page.goto('/#/resident')` works). The page's errors are
    in `page.planet_errors`. The browser speaks English (the app follows navigator.languages)
    unless a test asks for another `locale`, e.g. "zh-CN"; other keywords go to the context."""
    contexts: list[Any] = []

    def make(role: str = "default", locale: str = "en-US",
             viewport: dict[str, int] | None = None, **options: Any) -> Any:
        context = browser.new_context(base_url=node.url, viewport=viewport or VIEWPORT,
                                      timezone_id="Asia/Shanghai", locale=locale,
                                      reduced_motion="reduce", accept_downloads=True, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        errors = PageErrors()
        page.on("pageerror", lambda exc: errors.append(f"{role}: {exc}"))
        page.on("console", lambda msg: errors.append(f"{role} console: {msg.text}")
                if msg.type == "error" else None)
        page.planet_errors = errors
        page.planet_role = role
        return page

    yield make
    for context in contexts:
        context.close()


_SHOTS: dict[str, int] = {}


@pytest.fixture
def shot(screenshots_dir: Path, request: pytest.FixtureRequest) -> Callable[[Any, str], Path]:
    """`shot(page, name)` saves a full-page PNG named <module>-<nn>-<name>.png (numbered in
    the order taken across the module's tests)."""
    module = request.node.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")

    def take(page: Any, name: str) -> Path:
        if module not in _SHOTS:  # first shot of this module in the session: drop old ones
            for old in screenshots_dir.glob(f"{module}-[0-9][0-9]-*.png"):
                old.unlink()
        _SHOTS[module] = _SHOTS.get(module, 0) + 1
        safe = re.sub(r"[^\w.-]+", "-", name).strip("-")
        path = screenshots_dir / f"{module}-{_SHOTS[module]:02d}-{safe}.png"
        page.evaluate("window.scrollTo(0, 0)")  # a sticky top bar stays on top of the shot
        page.wait_for_timeout(150)  # let the last render and CSS transitions settle
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
