"""The nginx gateway: `/api/<service>/…` to the services, `/media/…` to media, `/` the web UI.
Internal routes are never routed."""

from __future__ import annotations

import ipaddress
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from gatepost_devstack.config import Ports
from gatepost_devstack.paths import REPO_ROOT

# the client's address as the gateway believes it (see `real_client`), never a chain it wrote
PROXY = """proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_redirect off;"""


# What every answer carries (compose's gateway has the same lines). The pages load only their own
# scripts and styles (no inline script); pictures and videos also from https (TikTok's avatars).
# An add_header inside a location drops these, so such a location repeats them.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: https:; "
    "media-src 'self' blob: https:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = f"""add_header Content-Security-Policy "{CSP}" always;
      add_header X-Content-Type-Options nosniff always;
      add_header X-Frame-Options DENY always;
      add_header Referrer-Policy strict-origin-when-cross-origin always;"""
# each service's Swagger UI (/docs, /redoc) runs an inline script and loads from a CDN: not
# behind the gateway (each service's own port still has it); the OpenAPI JSON is
NO_API_UI = 'location ~ "^/api/[^/]+/(docs|redoc)(/|$)" { return 404; }'


# Before a service sees a request, auth says whether its session (if it carries one) is still
# live: an ended session (sign-out, sign out everywhere) answers 401 at once on every route.
ASK_AUTH = "auth_request /_session;"
# where a body is large (uploads, imports), a request without a session is refused here too,
# before the body is accepted: approval hanging up on one it will not read makes nginx say 502
ASK_AUTH_FIRST = "auth_request /_session_required;"
NO_SESSION = "sign in first: this request has no live session"


def session_check(auth_port: int) -> str:
    """The subrequests auth answers (its GET /session/check): headers only, never the body."""
    asks = "\n    ".join(
        f"""location = /_session{suffix} {{
      internal;
      client_max_body_size 0;  # the question is the headers: the route's own limit holds
      proxy_pass http://127.0.0.1:{auth_port}/session/check;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Original-URI $request_uri;
      proxy_set_header X-Session-Required {required};
    }}"""
        for suffix, required in (("", "no"), ("_required", "yes"))
    )
    return f"""{asks}
    error_page 401 = @no_session;
    location @no_session {{
      default_type application/json;
      return 401 '{{"detail": "{NO_SESSION}"}}';
    }}"""


def real_client(trusted_proxies: Sequence[str]) -> str:
    """Believe X-Forwarded-For only from `trusted_proxies` (a load balancer in front of the
    gateway: TRUSTED_PROXIES, addresses or CIDR ranges, comma-separated): from them, the
    right-most address no trusted proxy added is the client, for the sign-in limits and for the
    services; from anyone else, the header is ignored. Compose's gateway includes
    deploy/nginx/trusted-proxies.conf for the same."""
    lines = ["real_ip_header X-Forwarded-For;", "real_ip_recursive on;"]
    for proxy in trusted_proxies:
        try:
            network = ipaddress.ip_network(proxy.strip(), strict=False)
        except ValueError:
            raise ValueError(f"TRUSTED_PROXIES: {proxy.strip()!r} is no address or range") from None
        lines.append(f"set_real_ip_from {network};")
    return "\n    ".join(lines)


def nginx_binary() -> str:
    path = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if path is None:
        raise RuntimeError(
            "nginx is not installed: run ./dev setup (or apt-get install nginx-light)"
        )
    return path


# Password guessing from one address, whatever e-mails it tries: 10 sign-ins a minute per IP
# (bursts of 10), on top of auth's 5 failures per e-mail. The same lines are in compose's gateway.
SIGNIN_ZONE = "limit_req_zone $binary_remote_addr zone=signin:10m rate=10r/m;"
SIGNIN_LIMIT = "limit_req zone=signin burst=10 nodelay; limit_req_status 429;"


def media_files(folder: Path, media: str) -> str:
    """The public pictures TikTok pulls, served by nginx straight from media's folder (each is
    written once, under its content's hash, and never changes): pulling a post's pictures costs
    the Python services nothing. Anything else under /media/ (videos, unknown names) goes to
    `media`, which answers the same way. Compose's gateway has the same lines."""
    return f"""location ~ "^/media/(?<picture>[0-9a-f]{{64}})\\.jpg$" {{
      root {folder};
      types {{ }}
      default_type image/jpeg;
      etag off;
      add_header ETag "\\"$picture\\"" always;
      add_header Cache-Control "public, max-age=31536000, immutable" always;
      {SECURITY_HEADERS}
      try_files /$picture.jpg {media};
    }}"""


# Bodies: as the services take them (gatepost_common.door): 1 MB of JSON anywhere, more only
# where a route takes more. A person's own video (TikTok takes up to 4 GB) streams through to
# approval as it arrives, which refuses it unread without a session. Compose's gateway has the
# same lines.
BODY_LIMIT = "client_max_body_size 1m;"
UPLOADS = "client_max_body_size 4001m; proxy_request_buffering off; proxy_read_timeout 900s;"
BULK_IMPORTS = "client_max_body_size 5m;"
WEBHOOKS = "client_max_body_size 64k;"
# nginx's own 413 is an HTML page: answered as the services answer, in JSON with a reason
TOO_LARGE = """error_page 413 @too_large;
    location @too_large {
      default_type application/json;
      return 413 '{"detail": "the request body is larger than this route takes"}';
    }"""


# The API's one stable prefix: /api/v1/<resource>/… goes to the service that owns it, as /v1/…
# (docs/api.md). The MCP server's answers are JSON, not streams, but nothing is held back.
API_V1 = {
    "topics": "generator",
    "imports": "generator",
    "posts": "approval",
    "mcp": "approval",
    "webhooks": "approval",
    "accounts": "publisher",
    "insights": "publisher",
    "token": "auth",
}


def api_v1(ports: Ports) -> str:
    return "\n".join(
        f"""    location ~ ^/api/v1/{resource}(/|$) {{
      rewrite ^/api(/v1/.*)$ $1 break;
      proxy_pass http://127.0.0.1:{getattr(ports, service)};
      proxy_buffering off;
      {ASK_AUTH}
      {PROXY}
    }}"""
        for resource, service in API_V1.items()
    )


def nginx_config(ports: Ports, folder: Path, trusted_proxies: Sequence[str] = ()) -> Path:
    temp = folder / "nginx-temp"
    temp.mkdir(parents=True, exist_ok=True)
    (folder / "logs").mkdir(exist_ok=True)
    services = "\n".join(
        f"""    location /api/{name}/ {{
      {ASK_AUTH}
      proxy_pass http://127.0.0.1:{getattr(ports, name)}/;
      {PROXY}
    }}"""
        for name in ("auth", "generator", "approval", "publisher", "media")
    )
    user = "user root;" if os.geteuid() == 0 else ""
    config = f"""{user}
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/logs/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
  include /etc/nginx/mime.types;
  # no query strings in the log: OAuth callbacks carry authorization codes there
  log_format gatepost '$remote_addr [$time_local] "$request_method $uri" $status $body_bytes_sent';
  access_log {folder}/logs/nginx-access.log gatepost;
  client_body_temp_path {temp}/body;
  proxy_temp_path {temp}/proxy;
  fastcgi_temp_path {temp}/fastcgi;
  uwsgi_temp_path {temp}/uwsgi;
  scgi_temp_path {temp}/scgi;
  {BODY_LIMIT}
  {SIGNIN_ZONE}
  server {{
    listen 127.0.0.1:{ports.gateway};
    {SECURITY_HEADERS}
    {real_client(trusted_proxies)}
    {TOO_LARGE}
    {session_check(ports.auth)}
    location ~ ^/api/[^/]+/internal/ {{ return 404; }}
    {NO_API_UI}
    location = /api/auth/signin {{
      {SIGNIN_LIMIT}
      proxy_pass http://127.0.0.1:{ports.auth}/signin;
      {PROXY}
    }}
    location = /api/approval/uploads {{
      {UPLOADS}
      {ASK_AUTH_FIRST}
      proxy_pass http://127.0.0.1:{ports.approval}/uploads;
      {PROXY}
    }}
    location = /api/generator/topics/bulk {{
      {BULK_IMPORTS}
      {ASK_AUTH_FIRST}
      proxy_pass http://127.0.0.1:{ports.generator}/topics/bulk;
      {PROXY}
    }}
    location = /api/v1/topics/bulk {{
      {BULK_IMPORTS}
      {ASK_AUTH_FIRST}
      proxy_pass http://127.0.0.1:{ports.generator}/v1/topics/bulk;
      {PROXY}
    }}
    location = /api/publisher/webhooks/tiktok {{
      {WEBHOOKS}
      proxy_pass http://127.0.0.1:{ports.publisher}/webhooks/tiktok;
      {PROXY}
    }}
{api_v1(ports)}
{services}
    {media_files(folder / "media", "@media")}
    location /media/ {{
      proxy_pass http://127.0.0.1:{ports.media}/media/;
      {PROXY}
    }}
    location @media {{
      proxy_pass http://127.0.0.1:{ports.media};
      {PROXY}
    }}
    location / {{
      root {REPO_ROOT / "web" / "app"};
      try_files $uri /index.html;
    }}
  }}
}}
"""
    path = folder / "nginx.conf"
    path.write_text(config)
    return path
