"""The webhook signature TikTok uses, and Gatepost's own outgoing webhooks use too: a header
`t=<unix seconds>,s=<lowercase hex HMAC-SHA256 of "t.body" with the shared secret>`, compared in
constant time, within a timestamp tolerance."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime


class BadSignature(ValueError):
    """The request is not from the holder of the secret (or too old to trust)."""


def _mac(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},s={_mac(secret, str(timestamp), body)}"


def verify_signature(
    secret: str, header: str, body: bytes, now: datetime, tolerance_s: int
) -> None:
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    timestamp, signature = parts.get("t", "").strip(), parts.get("s", "").strip()
    if not timestamp.isdigit() or not signature:
        raise BadSignature("malformed signature header")
    if not hmac.compare_digest(_mac(secret, timestamp, body), signature):
        raise BadSignature("signature does not match")
    if abs(now.timestamp() - int(timestamp)) > tolerance_s:
        raise BadSignature("timestamp outside the tolerance")
