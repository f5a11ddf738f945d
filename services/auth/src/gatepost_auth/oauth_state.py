"""The OAuth `state`, bound to the browser by a short-lived HMAC-signed cookie."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

STATE_COOKIE = "gatepost_oauth"
STATE_TTL_S = 600


def seal(secret: str, payload: dict[str, Any]) -> str:
    body = base64.urlsafe_b64encode(
        json.dumps({**payload, "exp": int(time.time()) + STATE_TTL_S}).encode()
    ).decode()
    mac = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    return f"{body}.{mac}"


def unseal(secret: str, cookie: str) -> dict[str, Any] | None:
    """The payload if the cookie is ours and fresh, else None."""
    body, _, mac = cookie.rpartition(".")
    expected = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    if not body or not hmac.compare_digest(mac, expected):
        return None
    payload: dict[str, Any] = json.loads(base64.urlsafe_b64decode(body))
    return payload if payload.get("exp", 0) > time.time() else None
