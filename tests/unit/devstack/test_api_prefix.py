"""The API's one prefix: the local gateway and compose's gateway send each /api/v1/<resource> to
the same service, as /v1/…, and every /v1/ route a service declares has its resource routed."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.routing import APIRoute

from gatepost_approval.entrypoints import router as queue_routes
from gatepost_auth.api_token_routes import router as token_routes
from gatepost_devstack.config import LOCAL_PORTS
from gatepost_devstack.gateway import API_V1, nginx_config
from gatepost_generator.entrypoints import router as topic_routes
from gatepost_publisher.budget import router as budget_routes
from gatepost_publisher.insight_routes import v1_router as insight_routes

ROOT = Path(__file__).parents[3]
ROUTERS = {
    "auth": [token_routes],
    "generator": [topic_routes],
    "approval": [queue_routes],
    "publisher": [budget_routes, insight_routes],
}


def test_both_gateways_route_each_resource_to_its_service(tmp_path: Path) -> None:
    local = nginx_config(LOCAL_PORTS, tmp_path).read_text()
    compose = (ROOT / "deploy/nginx/gateway.conf").read_text()
    for resource, service in API_V1.items():
        port = getattr(LOCAL_PORTS, service)
        block = re.search(rf"location ~ \^/api/v1/{resource}\(/\|\$\) \{{([^}}]*)\}}", local)
        assert block, resource
        assert re.search(
            rf"rewrite \^/api\(/v1/\.\*\)\$ \$1 break;\s+proxy_pass http://127\.0\.0\.1:{port};",
            block.group(1),
        ), resource
        # a session sent here is asked about too (an ended one: 401); API tokens pass to auth
        assert "auth_request /_session;" in block.group(1), resource
        assert (
            f"^/api/v1/{resource}(/|$) {{ auth_request /_session; rewrite ^/api(/v1/.*)$ $1 break;"
            in compose
        )
        assert re.search(rf"\^/api/v1/{resource}\(/\|\$\) .*proxy_pass http://{service}:", compose)


def test_every_v1_route_has_its_resource_routed_to_its_service() -> None:
    for service, routers in ROUTERS.items():
        paths = [r.path for router in routers for r in router.routes if isinstance(r, APIRoute)]
        v1 = [p for p in paths if p.startswith("/v1/")]
        assert v1, service
        for path in v1:
            assert API_V1[path.split("/")[2]] == service, path
    assert API_V1["mcp"] == "approval"
