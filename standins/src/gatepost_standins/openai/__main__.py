"""Run the OpenAI-compatible stand-in: `python -m gatepost_standins.openai [--port 8091]`."""

from __future__ import annotations

import argparse

from gatepost_standins.openai.app import create_app
from gatepost_standins.serving import serve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8091)
    parser.add_argument("--image-latency", type=float, default=0.0)
    args = parser.parse_args()
    serve(create_app(args.image_latency), args.host, args.port)


if __name__ == "__main__":
    main()
