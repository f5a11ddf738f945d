"""Benchmark (not a test): topic language detection, lingua high vs low accuracy mode, on short
labelled topics (`topics_labelled.json`). Prints accuracy, per-topic latency, load time and memory.
Run: uv run python -m benchmarks.language_detection [high|low]"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from benchmarks.report import save
from gatepost_generator.language import LinguaDetector


def main() -> None:
    labelled: dict[str, list[str]] = json.loads(
        (Path(__file__).parent / "topics_labelled.json").read_text()
    )
    mode = sys.argv[1] if len(sys.argv) > 1 else "high"
    started = time.perf_counter()
    detector = LinguaDetector(low_accuracy=mode == "low")
    detector.warm_up()
    load = time.perf_counter() - started
    right = total = 0
    started = time.perf_counter()
    misses = []
    for language, topics in labelled.items():
        for topic in topics:
            found = detector.detect(topic)
            total += 1
            right += found == language
            if found != language:
                misses.append(f"{language}->{found}: {topic}")
    per_topic_ms = (time.perf_counter() - started) / total * 1000
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(
        f"lingua {mode} accuracy: {right}/{total} = {right / total:.1%}, "
        f"{per_topic_ms:.2f} ms/topic, load {load:.1f} s, max RSS {rss} MB"
    )
    for miss in misses:
        print("  miss", miss)
    save(
        f"language_detection_{mode}",
        {
            "right": right,
            "total": total,
            "ms_per_topic": round(per_topic_ms, 2),
            "load_s": round(load, 1),
            "max_rss_mb": rss,
            "misses": misses,
        },
    )


if __name__ == "__main__":
    main()
