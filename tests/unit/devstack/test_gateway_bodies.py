"""The gateways (local and compose) take bodies as the services do: never less than a route
takes, never much more (a 25 MB JSON body used to reach every service through the gateway)."""

from __future__ import annotations

import re
from pathlib import Path

from gatepost_approval.upload_routes import UPLOAD_BODY_BYTES
from gatepost_common.door import DEFAULT_BODY_BYTES
from gatepost_devstack import gateway
from gatepost_devstack.config import LOCAL_PORTS
from gatepost_devstack.paths import REPO_ROOT
from gatepost_generator.bulk_rows import BULK_BODY_BYTES
from gatepost_publisher.entrypoints import WEBHOOK_BODY_BYTES

UNITS = {"k": 1024, "m": 1024**2, "g": 1024**3, "": 1}
ROUTES = {  # where a body may be larger (or smaller) than the 1 MB of JSON everywhere else
    "/api/approval/uploads": (gateway.UPLOADS, UPLOAD_BODY_BYTES),
    "/api/generator/topics/bulk": (gateway.BULK_IMPORTS, BULK_BODY_BYTES),
    "/api/v1/topics/bulk": (gateway.BULK_IMPORTS, BULK_BODY_BYTES),  # the same, with a token
    "/api/publisher/webhooks/tiktok": (gateway.WEBHOOKS, WEBHOOK_BODY_BYTES),
}


def size_in(line: str) -> int:
    found = re.search(r"client_max_body_size (\d+)([kmg]?);", line)
    assert found, line
    return int(found[1]) * UNITS[found[2]]


def test_each_gateway_limit_covers_its_route_and_little_more() -> None:
    for line, service in [(gateway.BODY_LIMIT, DEFAULT_BODY_BYTES), *ROUTES.values()]:
        assert service <= size_in(line) <= service * 1.1, line


def test_compose_has_the_local_gateways_limits() -> None:
    conf = (REPO_ROOT / "deploy" / "nginx" / "gateway.conf").read_text()
    server_wide = re.findall(r"^  client_max_body_size [^;]+;", conf, re.MULTILINE)
    assert [size_in(line) for line in server_wide] == [size_in(gateway.BODY_LIMIT)]
    for path, (line, _) in ROUTES.items():
        block = re.search(rf"location = {re.escape(path)} \{{[^}}]*\}}", conf)
        assert block, f"compose has no location for {path}"
        assert size_in(block[0]) == size_in(line), path


def test_the_local_gateway_has_a_location_for_each_larger_route(tmp_path: Path) -> None:
    local = gateway.nginx_config(LOCAL_PORTS, tmp_path).read_text()
    for path, (line, _) in ROUTES.items():
        block = re.search(rf"location = {re.escape(path)} \{{[^}}]*\}}", local)
        assert block, f"the local gateway has no location for {path}"
        assert size_in(block[0]) == size_in(line), path
