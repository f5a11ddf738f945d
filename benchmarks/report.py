"""What every benchmark shares: the machine it ran on, percentiles, a whole Gatepost stack on
its own ports, and the results file."""

from __future__ import annotations

import json
import os
import platform
import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gatepost_devstack.config import Ports
from gatepost_devstack.stack import Stack

RESULTS = Path(__file__).parent / "results"
BENCH_PORTS = Ports().shifted(20000)  # beside the local run (+0) and the tests (+10000)


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    with open("/proc/cpuinfo") as info:
        names = [line.split(":", 1)[1].strip() for line in info if line.startswith("model name")]
    with open("/proc/meminfo") as info:
        total_kib = int(next(line for line in info if line.startswith("MemTotal")).split()[1])
    return {
        "cpu": names[0] if names else cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(total_kib / 2**20, 1),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
    }


def percentiles(values: list[float]) -> dict[str, float]:
    """p50, p95, p99 and max, in the values' unit (empty input: zeros)."""
    if not values:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0}
    if len(values) == 1:
        return {key: values[0] for key in ("p50", "p95", "p99", "max")}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98], "max": max(values)}


def save(name: str, figures: dict[str, Any]) -> Path:
    """Write one benchmark's figures, with the machine and the time, to results/<name>.json."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    record = {"benchmark": name, "at": datetime.now(UTC).isoformat(), "machine": machine()}
    path.write_text(json.dumps(record | figures, indent=2) + "\n")
    print(f"results written to {path}")
    return path


@contextmanager
def bench_stack(name: str, *, mongo_in_memory: bool = False, **tuning: str) -> Iterator[Stack]:
    """A whole stack from empty data, with the stand-ins, telemetry files and production
    defaults (unlike the test stack, no shortened waits or caps), plus `tuning`."""
    stack = Stack(
        f"bench-{name}",
        BENCH_PORTS,
        fresh=True,
        auto_consent=True,
        telemetry=True,
        database_prefix=f"gatepost_bench_{name}",
        extra_env=tuning,
        mongo_in_memory=mongo_in_memory,
    )
    print(f"starting a stack for the benchmark (logs: {stack.supervisor.logs}) …", flush=True)
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()
