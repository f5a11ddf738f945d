"""Every line a service writes is one JSON object (time, level, service, message, trace ids), so
log pipelines can read it: FastStream's own coloured text lines included no more."""

from __future__ import annotations

import json

from gatepost_devstack.config import SERVICES
from gatepost_devstack.outside import generated_post, signed_up
from gatepost_devstack.stack import Stack


async def test_every_service_log_line_is_json(stack: Stack) -> None:
    client, user_id, account_id = signed_up(stack)
    await generated_post(stack, client, user_id, account_id, "Log lines")  # Kafka traffic
    for service in SERVICES:
        lines = (stack.supervisor.logs / f"{service}.log").read_text().splitlines()
        assert lines, service
        for line in lines:
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                raise AssertionError(f"{service} wrote a non-JSON line: {line[:200]}") from None
            assert {"time", "level", "service", "message"} <= set(entry), (service, entry)
