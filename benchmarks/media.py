"""Benchmark (not a test): media normalisation against a bare-Pillow baseline doing the same
decode → resize → encode on the same inputs, and, given a running media service, over HTTP;
then composing slides (the words set on a normalised picture) in several scripts, and a whole
7-slide carousel (a cover with its title and six slides), as media does for every post.

    uv run python -m benchmarks.media [--rounds 3] [--url http://127.0.0.1:8005 --key FILE]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from PIL import Image, ImageOps

from benchmarks.report import save
from gatepost_common.access import ServiceAuth
from gatepost_common.slide_style import Style
from gatepost_media.contact_sheet import SAMPLES, illustration
from gatepost_media.domain import SIDE, normalise
from gatepost_media.typeset import BODY_SCALE, compose, encode


def inputs() -> list[tuple[str, bytes]]:
    """Typical slide sources: big camera JPEGs, AI-model PNGs, a small WebP."""
    made = []
    for name, size, fmt in [
        ("photo-4000x3000.jpg", (4000, 3000), "JPEG"),
        ("photo-3024x4032.jpg", (3024, 4032), "JPEG"),
        ("model-1024x1024.png", (1024, 1024), "PNG"),
        ("model-1536x1024.png", (1536, 1024), "PNG"),
        ("small-800x800.webp", (800, 800), "WEBP"),
    ]:
        image = Image.effect_noise(size, 40).convert("RGB")
        out = io.BytesIO()
        image.save(out, fmt, quality=92) if fmt != "PNG" else image.save(out, fmt)
        made.append((name, out.getvalue()))
    return made


def bare_pillow(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        square = ImageOps.fit(image.convert("RGB"), (SIDE, SIDE), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        square.save(out, "JPEG", quality=90)
        return out.getvalue()


def gatepost(data: bytes) -> bytes:
    jpeg: bytes = normalise(data, max_pixels=40_000_000).jpeg
    return jpeg


def timed(work: Callable[[bytes], object], images: list[tuple[str, bytes]], rounds: int) -> float:
    """Images per second, median over rounds."""
    rates = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _, data in images:
            work(data)
        rates.append(len(images) / (time.perf_counter() - started))
    return statistics.median(rates)


def carousel_seconds(language: str, picture: bytes) -> float:
    """One carousel of 7 composed and encoded slides, in sequence (one core)."""
    title, cover, *slides = SAMPLES[language]
    started = time.perf_counter()
    encode(compose(picture, [(title, 1.0), (cover, BODY_SCALE)], language, Style()), 90)
    for index in range(6):
        encode(compose(picture, [(slides[index % 2], 1.0)], language, Style()), 90)
    return time.perf_counter() - started


def composing(rounds: int) -> dict[str, object]:
    picture = illustration(3)
    for language in SAMPLES:  # fonts and their character maps load once per process
        carousel_seconds(language, picture)
    per_language = {
        language: statistics.median(carousel_seconds(language, picture) for _ in range(rounds))
        for language in SAMPLES
    }
    worst = max(per_language, key=lambda lang: per_language[lang])
    median = statistics.median(per_language.values())
    print(
        f"\ncomposing: a 7-slide carousel (cover + 6 slides, JPEG encoded), {len(SAMPLES)} "
        "scripts, fonts loaded:"
    )
    print(f"  median {median * 1000:6.0f} ms a carousel = {7 / median:5.1f} slides/s")
    print(f"  slowest {worst}: {per_language[worst] * 1000:6.0f} ms a carousel")
    return {
        "carousel_ms_median": round(median * 1000),
        "carousel_ms_by_language": {k: round(v * 1000) for k, v in per_language.items()},
        "composed_slides_per_s": round(7 / median, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--url", help="a running media service, e.g. http://127.0.0.1:8005")
    parser.add_argument("--key", help="the generator's SERVICE_KEY (a PEM file) to sign calls")
    args = parser.parse_args()
    images = inputs()
    baseline = timed(bare_pillow, images, args.rounds)
    ours = timed(gatepost, images, args.rounds)
    print(f"inputs: {', '.join(name for name, _ in images)}")
    print(f"bare Pillow (decode, fit, encode q90):        {baseline:6.1f} images/s")
    print(
        f"gatepost normalise (in process):              {ours:6.1f} images/s  "
        f"({ours / baseline:.2f}x the baseline)"
    )
    figures = {
        "inputs": [name for name, _ in images],
        "bare_pillow_images_per_s": round(baseline, 1),
        "gatepost_images_per_s": round(ours, 1),
        "gatepost_to_baseline": round(ours / baseline, 2),
    }
    if args.url:
        key = Path(args.key).read_text() if args.key else ""
        signed = ServiceAuth("generator", key, "media")  # a fresh token for each call
        with httpx.Client(base_url=args.url, auth=signed, timeout=60) as http:

            def over_http(data: bytes) -> object:
                return http.post("/internal/images", content=data).raise_for_status()

            served = timed(over_http, images, args.rounds)
        print(
            f"media service over HTTP:                      {served:6.1f} images/s  "
            f"({served / baseline:.2f}x the baseline)"
        )
        figures["over_http_images_per_s"] = round(served, 1)
    figures |= composing(args.rounds)
    save("media", figures)


if __name__ == "__main__":
    main()
