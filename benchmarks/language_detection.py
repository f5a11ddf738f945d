"""Benchmark (not a test): topic language detection on short labelled topics
(`topics_labelled.json`), in lingua's three modes. Prints how many topics lingua gets right on
its own, how many it leaves to the LLM fallback and what the OpenAI stand-in answers for those
(a stopword guess, not a model: a real LLM names these languages), with latency, load time and
memory. Run: uv run python -m benchmarks.language_detection [low_then_high|high|low]"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import cast

from benchmarks.report import save
from gatepost_generator.language import Accuracy, LinguaDetector
from gatepost_standins.openai.app import answer


def main() -> None:
    labelled: dict[str, list[str]] = json.loads(
        (Path(__file__).parent / "topics_labelled.json").read_text()
    )
    mode = cast(Accuracy, sys.argv[1] if len(sys.argv) > 1 else "low_then_high")
    started = time.perf_counter()
    detector = LinguaDetector(accuracy=mode)
    detector.warm_up()
    load = time.perf_counter() - started
    right = fallback_right = total = 0
    started = time.perf_counter()
    misses, unsure = [], []
    for language, topics in labelled.items():
        for topic in topics:
            total += 1
            found = detector.detect(topic)
            if found is None:
                guess = answer(f"Detect language: {topic}")["language"]
                fallback_right += guess == language
                unsure.append(f"{language} (stand-in: {guess}): {topic}")
            elif found == language:
                right += 1
            else:
                misses.append(f"{language}->{found}: {topic}")
    per_topic_ms = (time.perf_counter() - started) / total * 1000
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(
        f"lingua {mode}: {right}/{total} right, {len(misses)} wrong, {len(unsure)} left to the "
        f"LLM fallback ({fallback_right} of them right by the OpenAI stand-in's guess); "
        f"{per_topic_ms:.2f} ms/topic, load {load:.1f} s, max RSS {rss} MB; high accuracy "
        f"models asked for: {', '.join(sorted(detector.loaded())) or 'none'}"
    )
    for line in misses:
        print("  wrong", line)
    for line in unsure:
        print("  to the LLM", line)
    save(
        f"language_detection_{mode}",
        {
            "right": right,
            "wrong": len(misses),
            "to_fallback": len(unsure),
            "fallback_right_by_standin": fallback_right,
            "total": total,
            "ms_per_topic": round(per_topic_ms, 2),
            "load_s": round(load, 1),
            "max_rss_mb": rss,
            "high_accuracy_models": sorted(detector.loaded()),
            "misses": misses,
            "to_the_llm": unsure,
        },
    )


if __name__ == "__main__":
    main()
