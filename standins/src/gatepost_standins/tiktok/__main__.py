"""Run the TikTok stand-in: `python -m gatepost_standins.tiktok [--port N] [--config FILE]`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from gatepost_standins.serving import serve
from gatepost_standins.tiktok.app import create_app
from gatepost_standins.tiktok.config import TikTokStandinConfig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--config", help="a JSON file of TikTokStandinConfig fields")
    args = parser.parse_args()
    config = (
        TikTokStandinConfig(**json.loads(Path(args.config).read_text()))
        if args.config
        else TikTokStandinConfig()
    )
    serve(create_app(config), args.host, args.port)


if __name__ == "__main__":
    main()
