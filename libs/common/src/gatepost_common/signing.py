"""Ed25519 signatures over an event's canonical data (sorted keys, no whitespace, no signature)."""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)


def canonical(data: dict[str, Any]) -> bytes:
    unsigned = {k: v for k, v in data.items() if k != "signature"}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(private_key_pem: str, data: dict[str, Any]) -> str:
    key = load_pem_private_key(private_key_pem.encode(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the signing key is not an Ed25519 private key")
    return base64.b64encode(key.sign(canonical(data))).decode()


def verify(public_key_pem: str, data: dict[str, Any]) -> bool:
    key = load_pem_public_key(public_key_pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("the verification key is not an Ed25519 public key")
    try:
        key.verify(base64.b64decode(str(data.get("signature", "")), validate=True), canonical(data))
    except (InvalidSignature, ValueError):
        return False
    return True


def generate_keypair() -> tuple[str, str]:
    """(private PEM, public PEM) of a fresh Ed25519 key."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    public = key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public
