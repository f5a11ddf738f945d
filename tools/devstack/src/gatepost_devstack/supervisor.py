"""Start child processes, wait for them to be ready, and stop every one of them together."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Runs in the child before exec: Linux sends it SIGTERM when the supervisor dies, even by
    SIGKILL, so no broker or service outlives `./dev run`. Linux ties this to the thread that
    started the child: start parts from a thread that outlives them (the main thread)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class StartError(RuntimeError):
    """A part failed to start; the message carries the tail of its log."""


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    log: Path


def log_tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"


def port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def http_ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass
class Supervisor:
    """Owns the children of one stack; `stop()` ends them in reverse start order."""

    logs: Path
    children: list[Child] = field(default_factory=list)

    def start(
        self,
        name: str,
        command: Sequence[str],
        ready: Callable[[], bool],
        *,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        timeout: float = 60.0,
    ) -> Child:
        self.logs.mkdir(parents=True, exist_ok=True)
        log = self.logs / f"{name}.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                list(command),
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, **(env or {})},
                cwd=cwd,
                start_new_session=True,
                preexec_fn=die_with_parent if sys.platform == "linux" else None,
            )
        child = Child(name, process, log)
        self.children.append(child)
        deadline = time.monotonic() + timeout
        while not ready():
            if process.poll() is not None:
                raise StartError(f"{name} exited with {process.returncode}:\n{log_tail(log)}")
            if time.monotonic() > deadline:
                raise StartError(f"{name} was not ready after {timeout:.0f}s:\n{log_tail(log)}")
            time.sleep(0.2)
        return child

    def child(self, name: str) -> Child:
        return next(c for c in self.children if c.name == name)

    def stop_child(self, child: Child, timeout: float = 15.0) -> None:
        if child.process.poll() is None:
            os.killpg(child.process.pid, signal.SIGTERM)
            try:
                child.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(child.process.pid, signal.SIGKILL)
                child.process.wait()

    def stop(self) -> None:
        for child in reversed(self.children):
            self.stop_child(child)
        self.children.clear()

    def dead(self) -> list[Child]:
        return [c for c in self.children if c.process.poll() is not None]
