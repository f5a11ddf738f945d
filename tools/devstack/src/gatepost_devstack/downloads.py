"""Fetch the Java servers' classpaths from Maven Central once, cached under the home directory."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from gatepost_devstack.paths import CACHE, DEPLOY


class DownloadError(RuntimeError):
    """A download failed; the message says which variable replaces the missing part."""


def maven_classpath(project: str, fallback_variable: str) -> Path:
    """Copy the runtime dependencies of `deploy/<project>/pom.xml` into a cached folder."""
    pom = DEPLOY / project / "pom.xml"
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()[:12]
    target = CACHE / f"{project}-{digest}" / "libs"
    if (target / ".complete").exists():
        return target
    if shutil.which("mvn") is None:
        raise DownloadError(
            f"Maven (mvn) is not installed, so the {project} jars cannot be fetched. "
            f"Install Maven, or set {fallback_variable} to use a server you run yourself."
        )
    target.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            "mvn",
            "-q",
            "-B",
            "-f",
            str(pom),
            "dependency:copy-dependencies",
            "-DincludeScope=runtime",
            f"-DoutputDirectory={target}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-15:])
        raise DownloadError(
            f"Could not fetch the {project} jars from Maven Central:\n{tail}\n"
            f"If Maven Central is unreachable, set {fallback_variable} to use a server you run "
            "yourself."
        )
    (target / ".complete").touch()
    return target
