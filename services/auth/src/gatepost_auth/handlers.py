"""Use cases: sign up and in, connect a TikTok account, hand out a fresh access token."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from pymongo.errors import DuplicateKeyError

from gatepost_auth.adapters import MongoAccountRepository, MongoUserRepository
from gatepost_auth.settings import Settings
from gatepost_common.crypto import TokenCipher
from gatepost_common.sessions import User
from gatepost_common.tiktok import TikTokClient, TokenSet

logger = logging.getLogger(__name__)
hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters


class EmailTaken(Exception):
    """An account with this e-mail exists already."""


class BadCredentials(Exception):
    """Unknown e-mail or wrong password (deliberately not told apart)."""


class UnknownAccount(LookupError):
    """No such connected account."""


@dataclass
class Auth:
    settings: Settings
    users: MongoUserRepository
    accounts: MongoAccountRepository
    cipher: TokenCipher
    tiktok: TikTokClient

    async def sign_up(self, email: str, password: str) -> User:
        user = User(id=str(uuid.uuid4()), email=email.lower())
        try:
            await self.users.add(user.id, user.email, hasher.hash(password))
        except DuplicateKeyError:
            raise EmailTaken(email) from None
        return user

    async def sign_in(self, email: str, password: str) -> User:
        found = await self.users.by_email(email.lower())
        try:
            if found is None:
                hasher.hash(password)  # spend the same time as a real check
                raise BadCredentials
            hasher.verify(found["password_hash"], password)
        except VerificationError:
            raise BadCredentials from None
        return User(id=found["_id"], email=found["email"])

    async def connect(self, user_id: str, code: str, verifier: str | None) -> str:
        tokens = await self.tiktok.exchange_code(code, self.settings.tiktok_redirect_uri, verifier)
        profile = await self.tiktok.user_info(
            tokens.access_token, ["open_id", "display_name", "avatar_url"]
        )
        account_id = await self.accounts.upsert(
            user_id,
            tokens.open_id,
            str(uuid.uuid4()),
            {
                "display_name": profile.get("display_name", ""),
                "avatar_url": profile.get("avatar_url", ""),
                "status": "connected",
            },
        )
        await self.store_tokens(account_id, tokens)
        logger.info("tiktok account connected", extra={"fields": {"account_id": account_id}})
        return account_id

    async def store_tokens(self, account_id: str, tokens: TokenSet) -> None:
        now = datetime.now(UTC)
        await self.accounts.set_tokens(
            account_id,
            {
                "access_token": self.cipher.encrypt(tokens.access_token, account_id),
                "refresh_token": self.cipher.encrypt(tokens.refresh_token, account_id),
                "access_expires_at": now + timedelta(seconds=tokens.expires_in),
                "refresh_expires_at": now + timedelta(seconds=tokens.refresh_expires_in),
                "scope": tokens.scope,
            },
        )

    async def access_token(self, account_id: str, rejected: bool) -> str:
        account = await self.accounts.get(account_id)
        if account is None or "access_token" not in account:
            raise UnknownAccount(account_id)
        window = timedelta(seconds=self.settings.refresh_window_s)
        if rejected or account["access_expires_at"] - window <= datetime.now(UTC):
            refresh = self.cipher.decrypt(account["refresh_token"], account_id)
            tokens = await self.tiktok.refresh(refresh)
            await self.store_tokens(account_id, tokens)
            return tokens.access_token
        return self.cipher.decrypt(account["access_token"], account_id)


def account_view(account: dict[str, Any]) -> dict[str, Any]:
    return {
        "account_id": account["_id"],
        "display_name": account.get("display_name"),
        "avatar_url": account.get("avatar_url"),
        "status": account.get("status"),
        "open_id": account.get("open_id"),
    }
