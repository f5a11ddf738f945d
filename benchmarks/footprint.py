"""Benchmark (not a test): the resident memory of each process of the local stack (as
`./dev run` starts it: MongoDB-wire server on disk, no telemetry), at idle and under load.

Each supervised part is its own session (its launcher and every process it starts), so a part's
figure is the sum over the processes of its session: RSS from /proc/<pid>/status, PSS (shared
pages divided among the processes that share them) from /proc/<pid>/smaps_rollup. Three moments:
idle after start-up, the peak while topics in eight languages are generated (sampled twice a
second), idle again after them (the issue's "idle after a few posts").

    uv run python -m benchmarks.footprint [--topics 16] [--settle 20] [--port-offset 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.report import save
from gatepost_devstack.config import Ports
from gatepost_devstack.outside import generated_posts, signed_up
from gatepost_devstack.stack import Stack

TOPICS = (
    "Small balcony garden ideas",
    "Ideas para un jardín pequeño en el balcón",
    "Ideias para um pequeno jardim na varanda",
    "Idee per un piccolo giardino sul balcone",
    "Idées pour un petit jardin sur le balcon",
    "Ideen für einen kleinen Balkongarten",
    "Ideeën voor een kleine balkontuin",
    "ベランダで楽しむ小さな家庭菜園",
)


@dataclass
class Memory:
    rss_mb: float
    pss_mb: float


def field_kib(path: Path, name: str) -> int:
    """One `Name:  123 kB` line of a /proc file (0 if the process is gone or hides it)."""
    try:
        for line in path.read_text().splitlines():
            if line.startswith(f"{name}:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def session_of(pid: str) -> str:
    try:
        # after the command name in parentheses: state, ppid, pgrp, session
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[3]
    except (OSError, IndexError):
        return ""


def memory_by_part(stack: Stack) -> dict[str, Memory]:
    sessions = {str(c.process.pid): c.name for c in stack.supervisor.children}
    kib: dict[str, list[int]] = {name: [0, 0] for name in sessions.values()}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        part = sessions.get(session_of(pid))
        if part:
            kib[part][0] += field_kib(Path(f"/proc/{pid}/status"), "VmRSS")
            kib[part][1] += field_kib(Path(f"/proc/{pid}/smaps_rollup"), "Pss")
    return {name: Memory(rss / 1024, pss / 1024) for name, (rss, pss) in kib.items()}


def peak_while(stack: Stack, work: threading.Thread) -> dict[str, Memory]:
    """Each part's largest RSS and PSS sampled while `work` runs."""
    peak = memory_by_part(stack)
    while work.is_alive():
        for name, now in memory_by_part(stack).items():
            seen = peak[name]
            peak[name] = Memory(max(seen.rss_mb, now.rss_mb), max(seen.pss_mb, now.pss_mb))
        work.join(0.5)
    return peak


def table(moments: dict[str, dict[str, Memory]]) -> None:
    names = list(next(iter(moments.values())))
    print(f"\n{'process':<16}" + "".join(f"{m:>26}" for m in moments))
    print(f"{'':<16}" + "".join(f"{'RSS MB':>14}{'PSS MB':>12}" for _ in moments))
    for name in [*names, "total"]:
        row = f"{name:<16}"
        for figures in moments.values():
            rss = sum(m.rss_mb for m in figures.values()) if name == "total" else None
            pss = sum(m.pss_mb for m in figures.values()) if name == "total" else None
            part = figures.get(name)
            row += f"{rss if part is None else part.rss_mb:>14.0f}"
            row += f"{pss if part is None else part.pss_mb:>12.0f}"
        print(row)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--topics", type=int, default=16, help="generated under load")
    parser.add_argument("--settle", type=float, default=20.0, help="seconds before idle figures")
    parser.add_argument("--port-offset", type=int, default=20000)
    args = parser.parse_args()
    stack = Stack(
        "bench-footprint",
        Ports().shifted(args.port_offset),
        fresh=True,
        auto_consent=True,
        database_prefix="gatepost_bench_footprint",
    )
    print(f"starting a local stack (logs: {stack.supervisor.logs}) …", flush=True)
    stack.start()
    try:
        time.sleep(args.settle)  # idle is what start-up leaves once it has settled
        idle = memory_by_part(stack)
        _, user_id, account_id = signed_up(stack)
        owner = (user_id, account_id)
        per_topic = max(1, args.topics // len(TOPICS))

        async def generate() -> None:
            await asyncio.gather(*(generated_posts(stack, [owner] * per_topic, t) for t in TOPICS))

        work = threading.Thread(target=asyncio.run, args=(generate(),))
        started = time.monotonic()
        work.start()
        loaded = peak_while(stack, work)
        elapsed = time.monotonic() - started
        time.sleep(args.settle)
        after = memory_by_part(stack)
    finally:
        stack.stop()
    moments = {"idle": idle, "under load (peak)": loaded, "idle after load": after}
    print(
        f"{per_topic * len(TOPICS)} topics in {len(TOPICS)} languages generated in {elapsed:.0f} s"
    )
    table(moments)
    save(
        "footprint",
        {
            "topics": per_topic * len(TOPICS),
            "languages": len(TOPICS),
            "moments": {
                moment: {
                    name: {"rss_mb": round(m.rss_mb), "pss_mb": round(m.pss_mb)}
                    for name, m in figures.items()
                }
                | {
                    "total": {
                        "rss_mb": round(sum(m.rss_mb for m in figures.values())),
                        "pss_mb": round(sum(m.pss_mb for m in figures.values())),
                    }
                }
                for moment, figures in moments.items()
            },
        },
    )


if __name__ == "__main__":
    main()
