"""Where the pinned CometBFT binary is: one lookup for `planet node --with-cometbft`,
`planet testnet` and the tests, so they all run the same version (scripts/install-cometbft
installs it)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

COMETBFT_VERSION = "0.38.25"


def cometbft_version(path: str) -> str | None:
    try:
        out = subprocess.run([path, "version"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def find_cometbft() -> str | None:
    """The pinned CometBFT binary: $PLANET_COMETBFT, else `cometbft` in PATH, $GOBIN,
    $(go env GOPATH)/bin or ~/go/bin, whichever reports v0.38.25 first."""
    candidates: list[str] = []
    if os.environ.get("PLANET_COMETBFT"):
        candidates.append(os.environ["PLANET_COMETBFT"])
    if found := shutil.which("cometbft"):
        candidates.append(found)
    if os.environ.get("GOBIN"):
        candidates.append(str(Path(os.environ["GOBIN"]) / "cometbft"))
    gopath = os.environ.get("GOPATH", "").split(os.pathsep)[0]
    if gopath:
        candidates.append(str(Path(gopath) / "bin" / "cometbft"))
    candidates.append(str(Path.home() / "go" / "bin" / "cometbft"))
    for c in dict.fromkeys(candidates):
        if os.access(c, os.X_OK) and cometbft_version(c) == COMETBFT_VERSION:
            return c
    return None
