"""Benchmark (not a test): the generation pipeline's own cost, on a whole stack with real Kafka,
MongoDB, generator and media, and the OpenAI stand-in answering without delay.

1. Throughput: N `topic.created` at once → topics per minute, end-to-end latency per topic
   (Kafka timestamps) and per-stage latency percentiles (language, text, images; from the
   generator's spans).
2. Image concurrency: the stand-in holds every image call for L seconds; K topics one after the
   other. Seven calls in sequence would add 7·L to the images stage; printed is what they add (in
   units of L; 1 at best), and the peak of calls in flight from the stand-in's log.

    uv run python -m benchmarks.generation [--topics 30] [--sequential 5] [--image-latency 0.5]

3. `--realistic`: a person bulk-imports 60 topics; the OpenAI stand-in takes 20 s ± 5 s per image
   and 3 s ± 1 s per text call, and enforces 120 images a minute (a high OpenAI tier); the
   generator runs with production defaults (8 topics at once per replica) and an image budget 5 %
   under the provider's. Printed: wall time against the optimum (the larger of one topic's
   latency and what the image budget allows), 429s, topics failed.

    uv run python -m benchmarks.generation --realistic [--topics 60] [--ipm 120]

The stand-ins run on the same machine and render real PNGs, so their CPU time is in the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

import httpx

from benchmarks.report import bench_stack, percentiles, save
from gatepost_devstack.outside import eventually, generated_posts, signed_up
from gatepost_devstack.stack import Stack

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


def realistic(topics: int, ipm: int, image_s: float, text_s: float) -> None:
    budget = str(int(ipm * 0.95))
    with bench_stack("generation-realistic", IMAGE_BUDGET_PER_MINUTE=budget) as stack:
        client, _, account_id = signed_up(stack)
        standin = f"http://127.0.0.1:{stack.ports.openai}/_control"
        httpx.put(
            f"{standin}/config",
            json={
                "image_latency_s": image_s,
                "image_jitter_s": image_s / 4,
                "text_latency_s": text_s,
                "text_jitter_s": text_s / 3,
                "budgets": {"*": {"images_per_minute": ipm}},
            },
        ).raise_for_status()
        rows = [
            {"text": f"Realistic topic {i}: habits that stick", "account_id": account_id}
            for i in range(topics)
        ]
        started = time.monotonic()
        report = client.post("/api/generator/topics/bulk", json={"topics": rows}).json()
        progress_url = f"/api/generator/imports/{report['import_id']}"
        progress: dict[str, Any] = {}
        while time.monotonic() - started < 3600:
            progress = client.get(progress_url).json()
            if progress["finished"] == topics:
                break
            time.sleep(1)
        elapsed = time.monotonic() - started
        stats = httpx.get(f"{standin}/stats").json()
    images = topics * SLIDES
    windows = (images - 1) // ipm  # full minutes of budget before the last images can start
    optimum = max(text_s + image_s, text_s + windows * 60 + image_s)
    figures = {
        "topics": topics,
        "image_latency_s": image_s,
        "text_latency_s": text_s,
        "provider_images_per_minute": ipm,
        "generator_image_budget_per_minute": int(budget),
        "wall_s": round(elapsed, 1),
        "optimum_s": round(optimum, 1),
        "ratio": round(elapsed / optimum, 3),
        "rate_limited_429": stats["rate_limited"],
        "images_made": stats["images"],
        "topics_generated": progress["counts"]["generated"],
        "topics_failed": progress["counts"]["failed"],
        "peak_images_in_flight": stats["peak_images_in_flight"],
    }
    print(f"\n{topics} topics imported at once; image calls {image_s} s ± {image_s / 4} s, text")
    print(f"{text_s} s; the provider allows {ipm} images a minute, the generator takes {budget}:")
    print(f"  wall time            {elapsed:8.1f} s")
    print(f"  optimum              {optimum:8.1f} s  (the image budget: {windows} full minutes,")
    print(
        "                                   then the last images; one topic alone takes "
        f"{text_s + image_s:.0f} s)"
    )
    print(f"  ratio                {elapsed / optimum:8.2f}x")
    print(
        f"  429s from the provider {stats['rate_limited']}, topics failed "
        f"{progress['counts']['failed']}, generated {progress['counts']['generated']}"
    )
    print(f"  image calls in flight at once, at most: {stats['peak_images_in_flight']}")
    save("generation-realistic", figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--realistic", action="store_true", help="model latency and budgets")
    parser.add_argument("--ipm", type=int, default=120, help="--realistic: images a minute")
    parser.add_argument("--topics", type=int, default=30, help="sent at once (throughput)")
    parser.add_argument("--sequential", type=int, default=5, help="one by one (concurrency)")
    parser.add_argument("--image-latency", type=float, default=0.5, help="seconds per image")
    args = parser.parse_args()
    if args.realistic:
        topics = 60 if args.topics == 30 else args.topics
        realistic(topics, args.ipm, image_s=20.0, text_s=3.0)
        return
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
