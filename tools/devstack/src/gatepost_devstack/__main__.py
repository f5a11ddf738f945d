"""`python -m gatepost_devstack run`: the whole system until Ctrl-C;
`python -m gatepost_devstack infra`: only Kafka and MongoDB (for tests or your own services);
`python -m gatepost_devstack dead-letters list|replay TOPIC [--id ID]` and `… stuck`: the
operator's commands (gatepost_devstack.operations)."""

from __future__ import annotations

import argparse
import signal
import sys
import time

from gatepost_devstack import operations
from gatepost_devstack.config import LOCAL_PORTS
from gatepost_devstack.downloads import DownloadError
from gatepost_devstack.stack import Stack
from gatepost_devstack.supervisor import StartError, log_tail


def main() -> int:
    if sys.argv[1:2] in (["dead-letters"], ["stuck"]):
        return operations.main(sys.argv[1:])
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("what", choices=["run", "infra"])
    parser.add_argument(
        "--auto-consent",
        action="store_true",
        help="the TikTok stand-in grants consent without showing its page",
    )
    parser.add_argument(
        "--tracing",
        action="store_true",
        help="also start Zipkin (from Maven Central) and send every trace to its UI",
    )
    args = parser.parse_args()
    stack = Stack("local", LOCAL_PORTS, auto_consent=args.auto_consent, tracing=args.tracing)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        if args.what == "infra":
            stack.start_infra()
        else:
            stack.start()
        print(
            stack.describe()
            if args.what == "run"
            else f"Kafka {stack.kafka_bootstrap}\nMongoDB {stack.mongodb_url}",
            flush=True,
        )
        print("Running. Press Ctrl-C to stop everything.", flush=True)
        while not (dead := stack.supervisor.dead()):
            time.sleep(1)
        for child in dead:
            print(f"{child.name} stopped unexpectedly:\n{log_tail(child.log)}", file=sys.stderr)
        return 1
    except (StartError, DownloadError, RuntimeError) as error:
        print(f"Could not start: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        print("Stopping…", file=sys.stderr, flush=True)
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
