"""Every route of every service's OpenAPI document, fuzzed by schemathesis with a signed-in
session (and the service credential, for internal routes): no input answers a server error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gatepost_common.access import SERVICE_TOKEN_HEADER
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
    "publisher": "approval",
}


@pytest.mark.parametrize("service", SERVICES)
def test_no_input_answers_a_server_error(stack: Stack, service: str) -> None:
    client, _, _ = signed_up(stack)
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
            "--header",
            "X-Service-Token: "
            + stack.service_token(FUZZED_AS[service], service)[SERVICE_TOKEN_HEADER],
            "--max-examples",
            "12",
            "--phases",
            "examples,coverage,fuzzing",
            "--generation-deterministic",
            "--request-timeout",
            "20",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-6000:]
    assert "passed" in run.stdout and " 0 generated" not in run.stdout, run.stdout[-2000:]
