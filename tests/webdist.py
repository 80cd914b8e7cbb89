"""The built web app (src/planet/web/dist) for tests that serve it, rebuilt from web/ when any
source of it is newer, so no test checks a stale build. Builds are serialised by a lock
file: two test runs on one machine must not delete each other's half-written build."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "web"
DIST = ROOT / "src" / "planet" / "web" / "dist"


def dist_is_fresh() -> bool:
    """The build is newer than every source of it; the build writes index.html last."""
    index = DIST / "index.html"
    if not index.is_file():
        return False
    sources = [WEB / "build.mjs", WEB / "package-lock.json",
               *(WEB / "src").rglob("*"), *(WEB / "public").rglob("*")]
    newest = max(p.stat().st_mtime for p in sources if p.is_file())
    return index.stat().st_mtime >= newest


def built_dist() -> Path:
    """The build, made first when stale and node and npm are there; fails if there is none."""
    npm = shutil.which("npm")
    if npm and (WEB / "node_modules").is_dir() and not dist_is_fresh():
        with open(WEB / "node_modules" / ".planet-build.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not dist_is_fresh():
                out = subprocess.run([npm, "run", "build", "--prefix", str(WEB)],
                                     capture_output=True, text=True, timeout=180)
                if out.returncode != 0:
                    pytest.fail(f"npm run build failed:\n{out.stdout[-3000:]}\n"
                                f"{out.stderr[-3000:]}")
    if not (DIST / "index.html").is_file():
        pytest.fail("the web app is not built (src/planet/web/dist/index.html missing): "
                    "run ./scripts/install", pytrace=False)
    return DIST
