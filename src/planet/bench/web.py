"""`planet bench web`: what a resident's phone downloads, and how soon it shows their balance.

Issue 16 measures the web app on a throttled phone profile: Chromium's CPU slowed ×4, 150 ms
round trips and 1.6 Mbit/s down (750 kbit/s up), the profile Lighthouse calls a slow 4G
phone. A real `planet node` serves the built app; a resident registered through the Python SDK
is imported into the browser once (its keystore sealed under a password, as a user would),
so each measured load resumes the unlocked session and goes straight to the planet page.

Two loads are timed, each `repeats` times in a fresh tab:
- cold: the HTTP cache and the service worker bypassed, as on a first visit;
- warm: what a returning resident gets, the app shell from the service worker's cache.
For each: first paint and first contentful paint (the browser's paint timing) and "balance",
when the element showing the resident's diamonds is in the page with its value, all from
navigation start. Bundle sizes are the gzip bytes the node serves (it precompresses). The
machine's load average before and after is reported too: on a shared machine the figures move
with it, so two runs compare only at a similar load.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from planet.bench.api import NodeProc, free_port
from planet.core.force.messages import CompleteTask
from planet.node.home import Home
from planet.sdk.client import PlanetClient
from planet.sdk.keys import export_keystore_json, load_keystore
from planet.sdk.wallet import Wallet

DIST = Path(__file__).resolve().parents[1] / "web" / "dist"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "bench web first render"
PROFILE = {"cpu_slowdown": 4, "rtt_ms": 150, "down_kbit_s": 1_600, "up_kbit_s": 750}

# Stamps, from navigation start, the moment the balance shows a value (set before any script
# of the page runs, so it sees the first render).
WATCH_BALANCE = """(() => {
  const seen = () => {
    const el = document.querySelector('[data-testid="balance"]');
    if (el && /\\d/.test(el.textContent || '') && window.__balanceAt === undefined) {
      window.__balanceAt = performance.now();
    }
  };
  new MutationObserver(seen).observe(document, {subtree: true, childList: true, characterData: true});
})();"""

PAINTS = """() => Object.fromEntries(performance.getEntriesByType('paint')
  .map((e) => [e.name, e.startTime]))"""


def bundle_sizes(dist: Path = DIST) -> dict[str, Any]:
    """Gzip bytes of the script and style the app's page loads, and of all app assets."""
    page = (dist / "index.html").read_text(encoding="utf-8")
    # Each file once: a script is named by its <script> and by its <link rel="modulepreload">.
    loaded = list(dict.fromkeys(re.findall(r'(?:src|href)="(/assets/[^"]+\.(?:js|css))"', page)))
    if not loaded:
        raise RuntimeError(f"{dist / 'index.html'} names no script or style: is the web app built?")

    def gz(url: str) -> int:
        """The bytes served: the .gz, or the file itself when too small to be compressed."""
        path = dist / url.lstrip("/")
        packed = path.with_name(path.name + ".gz")
        return (packed if packed.exists() else path).stat().st_size

    assets = sorted(p for p in (dist / "assets").glob("*.gz"))
    return {"page_gzip_bytes": sum(gz(u) for u in loaded),
            "page_files": {u.rsplit("/", 1)[-1]: gz(u) for u in loaded},
            "app_assets_gzip_bytes": sum(p.stat().st_size for p in assets)}


def make_resident(node: NodeProc) -> Wallet:
    """A registered resident with a check-in done, so the planet page has a Force to show."""
    operator = load_keystore(Home(node.home.path).keys_dir / "operator.json", None)
    api = PlanetClient(node.url)
    try:
        code = api.create_invites(operator, 1)[0]
        resident = Wallet.generate()
        api.register_resident(resident, code)
        api.send(resident, CompleteTask(task_id="daily_checkin"))
    finally:
        api.close()
    return resident


def throttle(page: Any, cold: bool) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": PROFILE["cpu_slowdown"]})
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": PROFILE["rtt_ms"],
        "downloadThroughput": PROFILE["down_kbit_s"] * 1000 / 8,
        "uploadThroughput": PROFILE["up_kbit_s"] * 1000 / 8})
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": cold})
    cdp.send("Network.setBypassServiceWorker", {"bypass": cold})


def wait_for_balance(page: Any) -> float:
    """When the balance showed, from navigation start (a locator, since the page's CSP forbids
    the eval that wait_for_function needs)."""
    page.locator('[data-testid="balance"]', has_text=re.compile(r"\d")).wait_for(timeout=60_000)
    return float(page.evaluate("window.__balanceAt"))


def timed_load(context: Any, url: str, cold: bool) -> dict[str, float]:
    page = context.new_page()
    try:
        throttle(page, cold)
        page.goto(url, wait_until="commit")
        balance = wait_for_balance(page)
        paints = page.evaluate(PAINTS)
        return {"first_paint_ms": paints.get("first-paint", float("nan")),
                "first_contentful_paint_ms": paints.get("first-contentful-paint", float("nan")),
                "balance_ms": balance}
    finally:
        page.close()


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: round(statistics.median(r[k] for r in runs), 1) for k in runs[0]}


def run_web_bench(*, repeats: int = 7, progress: bool = False) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    say: Callable[[str], None] = (lambda m: print(m, file=sys.stderr, flush=True)) \
        if progress else (lambda m: None)
    sizes = bundle_sizes()
    load_before = os.getloadavg()
    folder = Path(tempfile.mkdtemp(prefix="planet-bench-web-"))
    node = NodeProc(folder, free_port())
    try:
        resident = make_resident(node)
        keystore = export_keystore_json(resident, None, "bench resident")
        say(f"node up at {node.url}; resident {resident.address}")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            context = browser.new_context(base_url=node.url, viewport={"width": 390, "height": 844},
                                          locale="zh-CN", service_workers="allow")
            context.add_init_script(WATCH_BALANCE)
            page = context.new_page()
            page.goto("/#/wallet/import?next=resident/planet")
            page.get_by_test_id("import-text").fill(keystore)
            for box in ("import-password", "import-password2"):
                page.get_by_test_id(box).fill(PASSWORD)
            page.get_by_test_id("import-submit").click()
            wait_for_balance(page)
            # the shell is cached before the warm loads
            page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            page.close()
            url = f"{node.url}/#/resident/planet"
            runs: dict[str, list[dict[str, float]]] = {"cold": [], "warm": []}
            for i in range(repeats):
                for kind in ("cold", "warm"):
                    runs[kind].append(timed_load(context, url, kind == "cold"))
                say(f"run {i + 1}/{repeats}: cold {runs['cold'][-1]['balance_ms']:.0f} ms, "
                    f"warm {runs['warm'][-1]['balance_ms']:.0f} ms to the balance")
            browser.close()
    finally:
        node.stop()
    return {"profile": PROFILE, "viewport": "390x844", "locale": "zh-CN", "repeats": repeats,
            "bundle": sizes, "cold": median_of(runs["cold"]), "warm": median_of(runs["warm"]),
            "target_balance_ms": 1_500,
            "load_average": {"before": [round(x, 2) for x in load_before],
                             "after": [round(x, 2) for x in os.getloadavg()]}}
