"""AES-256-GCM for secrets at rest: a random nonce per encryption, the owner's id as associated
data, and the key id stored with the ciphertext so keys can rotate."""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


@dataclass(frozen=True)
class TokenCipher:
    keys: dict[str, bytes]
    active_key_id: str

    @classmethod
    def from_config(cls, keys: dict[str, str], active_key_id: str) -> TokenCipher:
        decoded = {kid: base64.b64decode(key) for kid, key in keys.items()}
        for kid, key in decoded.items():
            if len(key) != 32:
                raise ValueError(f"token key {kid!r} is not 32 bytes (AES-256)")
        if active_key_id not in decoded:
            raise ValueError(f"the active token key {active_key_id!r} is not configured")
        return cls(decoded, active_key_id)

    def encrypt(self, plaintext: str, associated: str) -> dict[str, str]:
        nonce = os.urandom(12)
        sealed = AESGCM(self.keys[self.active_key_id]).encrypt(
            nonce, plaintext.encode(), associated.encode()
        )
        return {
            "kid": self.active_key_id,
            "nonce": base64.b64encode(nonce).decode(),
            "ct": base64.b64encode(sealed).decode(),
        }

    def decrypt(self, sealed: dict[str, str], associated: str) -> str:
        key = self.keys[sealed["kid"]]
        plain = AESGCM(key).decrypt(
            base64.b64decode(sealed["nonce"]), base64.b64decode(sealed["ct"]), associated.encode()
        )
        return plain.decode()


def new_key() -> str:
    """A fresh base64 AES-256 key, for configuration."""
    return base64.b64encode(os.urandom(32)).decode()
