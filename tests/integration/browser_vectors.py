"""Run a bundled SDK check in Debian's Chromium and return what its page posts back.

The interop tests (SDK vectors, Merkle proofs) bundle an entry module with esbuild, serve it
with its input files from loopback (a secure context, so WebCrypto is there) and read the
one JSON result the page POSTs; Node alone would test Node's WebCrypto, not the browser's.
"""

from __future__ import annotations

import http.server
import json
import queue
import shutil
import socket
import subprocess
import threading
from pathlib import Path
from typing import Any

from tests.require import missing

WEB = Path(__file__).resolve().parents[2] / "web"
CHROMIUM = Path("/usr/bin/chromium")


def node_ready() -> str:
    """Node's path; the test is skipped (or fails under PLANET_REQUIRE_WEB) without it."""
    node = shutil.which("node")
    if node is None or not (WEB / "node_modules").is_dir():
        missing("WEB", "node or web/node_modules is missing (run ./scripts/install)")
    assert node is not None
    return node


def free_port() -> int:
    """A free loopback port in the range this test suite's web checks use (17210-17299)."""
    for port in range(17210, 17300):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 17210-17299")


def run_in_chromium(tmp_path: Path, entry: str, global_name: str, page: str,
                    files: dict[str, str]) -> dict[str, Any]:
    """Bundle web/`entry` as window.`global_name`, serve it as bundle.js with `page` as
    index.html and `files`, and return the JSON the page POSTs (a browser crash or a page
    that never answers fails after 90 s)."""
    node_ready()
    if not CHROMIUM.exists():
        missing("BROWSER", f"{CHROMIUM} is missing (scripts/install-chromium installs it)")
    site = tmp_path / "site"
    site.mkdir()
    done = subprocess.run([str(WEB / "node_modules" / ".bin" / "esbuild"), entry, "--bundle",
                           "--format=iife", f"--global-name={global_name}", "--platform=browser",
                           "--external:node:*", f"--outfile={site / 'bundle.js'}"],
                          cwd=WEB, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    for name, text in {**files, "index.html": page}.items():
        (site / name).write_text(text, encoding="utf-8")
    results: queue.Queue[bytes] = queue.Queue()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(site), **kwargs)

        def do_POST(self) -> None:
            results.put(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    browser = subprocess.Popen(
        [str(CHROMIUM), "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}",
         f"http://127.0.0.1:{server.server_address[1]}/index.html"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        out: dict[str, Any] = json.loads(results.get(timeout=90))
    finally:
        browser.terminate()
        try:
            browser.wait(timeout=10)
        except subprocess.TimeoutExpired:
            browser.kill()
            browser.wait()
        server.shutdown()
        server.server_close()
    return out
