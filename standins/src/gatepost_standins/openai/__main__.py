"""Run the OpenAI-compatible stand-in:
`python -m gatepost_standins.openai [--port N] [--config FILE]`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from gatepost_standins.openai.app import create_app
from gatepost_standins.openai.config import OpenAIStandinConfig
from gatepost_standins.serving import serve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8091)
    parser.add_argument("--config", help="a JSON file of OpenAIStandinConfig fields")
    args = parser.parse_args()
    fields = json.loads(Path(args.config).read_text()) if args.config else {}
    serve(create_app(OpenAIStandinConfig(**fields)), args.host, args.port)


if __name__ == "__main__":
    main()
