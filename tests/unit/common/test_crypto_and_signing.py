"""Secrets at rest (AES-256-GCM with key ids) and post.approved signatures (Ed25519)."""

from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag

from gatepost_common import signing
from gatepost_common.crypto import TokenCipher, new_key
from gatepost_common.tiktok_oauth import code_challenge, pkce_pair


def test_sealed_token_opens_only_for_its_account() -> None:
    cipher = TokenCipher.from_config({"k1": new_key()}, "k1")
    sealed = cipher.encrypt("act.secret-token", "account-1")
    assert "act.secret-token" not in str(sealed) and sealed["kid"] == "k1"
    assert cipher.decrypt(sealed, "account-1") == "act.secret-token"
    with pytest.raises(InvalidTag):
        cipher.decrypt(sealed, "account-2")


def test_each_encryption_uses_a_fresh_nonce() -> None:
    cipher = TokenCipher.from_config({"k1": new_key()}, "k1")
    assert cipher.encrypt("same", "a")["nonce"] != cipher.encrypt("same", "a")["nonce"]


def test_old_ciphertexts_open_after_a_new_key_becomes_active() -> None:
    old, new = new_key(), new_key()
    sealed = TokenCipher.from_config({"k1": old}, "k1").encrypt("rft.x", "a")
    rotated = TokenCipher.from_config({"k1": old, "k2": new}, "k2")
    assert rotated.decrypt(sealed, "a") == "rft.x"
    assert rotated.encrypt("rft.x", "a")["kid"] == "k2"


def test_key_of_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        TokenCipher.from_config({"k1": "c2hvcnQ="}, "k1")


def test_signature_verifies_only_unchanged_data_with_the_right_key() -> None:
    private, public = signing.generate_keypair()
    data = {"post_id": "p", "photo_urls": ["https://x/1.jpg"], "signature": ""}
    data["signature"] = signing.sign(private, data)
    assert signing.verify(public, data)
    assert not signing.verify(public, {**data, "post_id": "other"})
    _, stranger = signing.generate_keypair()
    assert not signing.verify(stranger, data)
    assert not signing.verify(public, {**data, "signature": "not base64!"})


def test_pkce_challenge_is_tiktoks_lowercase_hex_sha256() -> None:
    # test vector from the reference spec (computed with hashlib, not RFC 7636's base64url)
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    expected = "13d31e961a1ad8ec2f16b10c4c982e0876a878ad6df144566ee1894acb70f9c3"
    assert code_challenge(verifier) == expected
    made_verifier, challenge = pkce_pair()
    assert 43 <= len(made_verifier) <= 128
    assert challenge == code_challenge(made_verifier) and len(challenge) == 64
