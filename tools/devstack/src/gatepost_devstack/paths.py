"""Where the devstack keeps downloads (cached under the home directory) and run state."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[4]
DEPLOY = REPO_ROOT / "deploy"
CACHE = Path(os.environ.get("GATEPOST_CACHE", Path.home() / ".cache" / "gatepost"))


def run_dir(name: str) -> Path:
    """A fresh-enough working folder for one stack (data, logs, generated configs)."""
    path = REPO_ROOT / ".run" / name
    path.mkdir(parents=True, exist_ok=True)
    return path
