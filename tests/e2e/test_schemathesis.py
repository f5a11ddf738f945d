"""Every route of every service's OpenAPI document, fuzzed by schemathesis with a signed-in
session (and, for internal routes, a service token of its own for each request): no input
answers a server error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pymongo import MongoClient

from gatepost_common.access import INTERNAL_ROUTES
from gatepost_common.token_replays import SEEN_TOKENS
from gatepost_devstack.config import SERVICES
from gatepost_devstack.outside import signed_up
from gatepost_devstack.stack import Stack

ST = Path(sys.executable).parent / "st"
# the caller whose token opens the most of each service's internal routes
FUZZED_AS = {
    "auth": "publisher",
    "media": "generator",
    "generator": "approval",
    "approval": "publisher",
    "publisher": "generator",
}


@pytest.mark.parametrize("service", SERVICES)
def test_no_input_answers_a_server_error(stack: Stack, service: str) -> None:
    client, _, _ = signed_up(stack)
    started = datetime.now(UTC)
    cookies = "; ".join(f"{c.name}={c.value}" for c in client.cookies.jar)
    base = f"http://127.0.0.1:{getattr(stack.ports, service)}"
    run = subprocess.run(
        [
            str(ST),
            "run",
            f"{base}/openapi.json",
            "--url",
            base,
            "--checks",
            "not_a_server_error",
            "--header",
            f"Cookie: {cookies}",
            "--header",
            f"X-CSRF-Token: {client.cookies.get('gatepost_csrf')}",
            "--max-examples",
            "12",
            "--phases",
            "examples,coverage,fuzzing",
            "--generation-deterministic",
            "--request-timeout",
            "20",
            "--no-color",
        ],
        env=os.environ
        | {
            # a service token of its own for each request (schemathesis_service_auth.py)
            "SCHEMATHESIS_HOOKS": "tests.e2e.schemathesis_service_auth",
            "FUZZ_AS": FUZZED_AS[service],
            "FUZZ_SERVICE": service,
            "FUZZ_SERVICE_KEY": json.loads(stack.secrets["service_keys"])[FUZZED_AS[service]][0],
        },
        cwd=Path(__file__).parents[2],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-6000:]
    assert "passed" in run.stdout and " 0 generated" not in run.stdout, run.stdout[-2000:]
    if INTERNAL_ROUTES.get(service):  # the internal routes were fuzzed past their door
        assert taken_since(stack, service, started) > 0


def taken_since(stack: Stack, service: str, started: datetime) -> int:
    """How many service tokens made since `started` `service` took (gatepost_common.token_replays:
    each is recorded until it expires)."""
    with MongoClient(stack.mongodb_url) as mongo:
        seen = mongo[f"{stack.database_prefix}_{service}"][SEEN_TOKENS]
        return seen.count_documents({"expires_at": {"$gt": started}})
