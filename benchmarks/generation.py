"""Benchmark (not a test): the generation pipeline's own cost, on a whole stack with real Kafka,
MongoDB, generator and media, and the OpenAI stand-in answering without delay.

1. Throughput: N `topic.created` at once → topics per minute, end-to-end latency per topic
   (Kafka timestamps) and per-stage latency percentiles (language, text, images; from the
   generator's spans).
2. Image concurrency: the stand-in holds every image call for L seconds; K topics one after the
   other. Seven calls in sequence would add 7·L to the images stage; printed is what they add (in
   units of L; 1 at best), and the peak of calls in flight from the stand-in's log.

    uv run python -m benchmarks.generation [--topics 30] [--sequential 5] [--image-latency 0.5]

The stand-ins run on the same machine and render real PNGs, so their CPU time is in the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

import httpx

from benchmarks.report import bench_stack, percentiles, save
from gatepost_devstack.stack import Stack
from tests.support import eventually, generated_posts, signed_up

STAGES = ("language", "text", "images")
SLIDES = 7


def stage_seconds(stack: Stack, since_ns: int) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {stage: [] for stage in STAGES}
    for span in stack.spans():
        stage = span["attributes"].get("gatepost.stage")
        if stage in found and span["start_ns"] >= since_ns:
            found[stage].append((span["end_ns"] - span["start_ns"]) / 1e9)
    return found


def wait_for_spans(stack: Stack, since_ns: int, count: int) -> dict[str, list[float]]:
    """The services export spans in batches: wait until every topic's stages are in."""
    eventually(
        lambda: all(len(v) >= count for v in stage_seconds(stack, since_ns).values()), timeout=30
    )
    return stage_seconds(stack, since_ns)


def peak_in_flight(stack: Stack, since_s: float) -> int:
    """The most image calls the OpenAI stand-in was serving at one moment."""
    calls = httpx.get(f"http://127.0.0.1:{stack.ports.openai}/_control/calls").json()
    edges = sorted(
        edge
        for c in calls
        if c["kind"] == "image" and c["start"] >= since_s
        for edge in ((c["start"], 1), (c["end"], -1))
    )
    peak = current = 0
    for _, step in edges:
        current += step
        peak = max(peak, current)
    return peak


def ms(figures: dict[str, float]) -> dict[str, float]:
    return {key: round(value * 1000, 1) for key, value in figures.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--topics", type=int, default=30, help="sent at once (throughput)")
    parser.add_argument("--sequential", type=int, default=5, help="one by one (concurrency)")
    parser.add_argument("--image-latency", type=float, default=0.5, help="seconds per image")
    args = parser.parse_args()
    with bench_stack("generation") as stack:
        _, user_id, account_id = signed_up(stack)
        owner = (user_id, account_id)
        asyncio.run(generated_posts(stack, [owner] * 2))  # warm-up: first calls, caches

        started_ns = time.time_ns()
        started = time.monotonic()
        latencies = [
            p["latency_s"] for p in asyncio.run(generated_posts(stack, [owner] * args.topics))
        ]
        elapsed = time.monotonic() - started
        stages = wait_for_spans(stack, started_ns, args.topics)

        behaviour = f"http://127.0.0.1:{stack.ports.openai}/_control/behaviour"
        httpx.put(behaviour, json={"image_latency_s": args.image_latency}).raise_for_status()
        slow_ns = time.time_ns()
        for _ in range(args.sequential):
            asyncio.run(generated_posts(stack, [owner]))
        images = wait_for_spans(stack, slow_ns, args.sequential)["images"]
        peak = peak_in_flight(stack, slow_ns / 1e9)

    per_minute = args.topics / elapsed * 60
    render = percentiles(images)["p50"]
    # what holding each call L seconds added to the stage, in units of L (in sequence: 7)
    added = (render - percentiles(stages["images"])["p50"]) / args.image_latency
    figures: dict[str, Any] = {
        "topics": args.topics,
        "topics_per_minute": round(per_minute, 1),
        "end_to_end_ms": ms(percentiles(latencies)),
        "stage_ms": {stage: ms(percentiles(stages[stage])) for stage in STAGES},
        "image_latency_s": args.image_latency,
        "images_stage_p50_ms": round(render * 1000, 1),
        "images_stage_in_call_latencies": round(render / args.image_latency, 2),
        "peak_image_calls_in_flight": peak,
        "latency_added_in_call_latencies": round(added, 2),
    }
    print(f"\n{args.topics} topics sent at once, zero-latency stand-ins:")
    print(f"  throughput           {per_minute:8.1f} topics/min ({elapsed:.1f} s in all)")
    print(f"  end to end, queueing included (ms) {fmt(figures['end_to_end_ms'])}")
    for stage in STAGES:
        print(f"  stage {stage:<28} {fmt(figures['stage_ms'][stage])}")
    print(f"\nimage calls held {args.image_latency} s each, {args.sequential} topics one by one:")
    print(
        f"  images stage p50     {render * 1000:8.1f} ms = {render / args.image_latency:.2f}x one "
        f"call (in sequence {SLIDES * args.image_latency:.1f} s; the rest is rendering and media)"
    )
    print(
        f"  holding each call {args.image_latency} s added {added:.2f}x one call's latency to the "
        f"stage (in sequence: {SLIDES}x)"
    )
    print(f"  image calls in flight at once, at most: {peak} of {SLIDES}")
    save("generation", figures)


def fmt(figures: dict[str, float]) -> str:
    return "  ".join(f"{key} {value:8.1f}" for key, value in figures.items())


if __name__ == "__main__":
    main()
