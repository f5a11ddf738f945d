"""Use cases of people: sign up, sign in (throttled), change a password, connect a TikTok
account."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from pymongo.errors import DuplicateKeyError

from gatepost_auth.adapters import MongoAccountRepository
from gatepost_auth.domain import signin_blocked
from gatepost_auth.mail import Mail, Mailer
from gatepost_auth.session_store import Sessions
from gatepost_auth.settings import Settings
from gatepost_auth.tokens import TokenKeeper
from gatepost_auth.users import MongoUserRepository
from gatepost_common.clock import Clock
from gatepost_common.sessions import User
from gatepost_common.tiktok import TikTokClient

logger = logging.getLogger(__name__)


hasher = PasswordHasher()  # Argon2id with the library's recommended parameters
# Argon2 takes ~150 ms of CPU and memory: a few at a time, in threads, so a burst of sign-ins
# never stalls the event loop that serves the publisher's token route
HASHING = asyncio.Semaphore(2)
T = TypeVar("T")


async def off_the_loop(work: Callable[..., T], *args: Any) -> T:
    async with HASHING:
        return await asyncio.to_thread(work, *args)


class EmailTaken(Exception):
    """An account with this e-mail exists already."""


class InvalidLink(Exception):
    """A sign-up link that is unknown, used already or expired."""


def link_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


CONFIRM_SUBJECT = "Finish signing up to Gatepost"
CONFIRM_TEXT = """Open this link to finish signing up to Gatepost:

{link}

It works once, within {hours} hours. If you did not sign up, ignore this mail."""
ALREADY_SUBJECT = "You already have a Gatepost account"
ALREADY_TEXT = """Someone, maybe you, tried to sign up to Gatepost with this address, which has an
account already. Sign in at {url}. If it was not you, nothing changed and you can ignore this."""


CHANGED_SUBJECT = "Your Gatepost password was changed"
CHANGED_TEXT = """The password of your Gatepost account was changed just now, and every browser and
device signed in to it was signed out; the one that changed it got a new sign-in.

If it was you, there is nothing more to do. If it was not, someone else can sign in to your
account: tell whoever runs Gatepost for you at once. ({url})"""


class PermissionNotGranted(Exception):
    """The person connected TikTok but did not allow a scope Gatepost needs (the message says
    which, in words for that person)."""


# what Gatepost cannot work without, and how to say it when a person unticked it
NEEDED_SCOPES = {
    "video.publish": "Gatepost needs permission to post: reconnect and allow it",
    "user.info.basic": "Gatepost needs to see your TikTok profile's name: reconnect and allow it",
}


class BadCredentials(Exception):
    """Unknown e-mail or wrong password (deliberately not told apart)."""


class TooManyAttempts(Exception):
    """Sign-in is paused for this e-mail after repeated failures."""


class ChangedMeanwhile(Exception):
    """The password was changed by another request while this one was checking it."""


@dataclass
class Auth:
    settings: Settings
    users: MongoUserRepository
    accounts: MongoAccountRepository
    keeper: TokenKeeper
    tiktok: TikTokClient
    clock: Clock
    mailer: Mailer

    async def sign_up(self, email: str, password: str) -> None:
        """Mail the address a link that finishes signing up; an address that has an account
        already gets a note instead. The answer and the work are the same either way, so
        sign-up tells nobody whether an address is registered: only its mailbox learns."""
        address, now = email.lower(), self.clock.now()
        digest = await off_the_loop(hasher.hash, password)
        if await self.users.by_email(address) is not None:
            await self.mail(Mail(address, ALREADY_SUBJECT, ALREADY_TEXT.format(url=self.url)))
            return
        token = secrets.token_urlsafe(32)
        expires = now + timedelta(hours=self.settings.signup_link_hours)
        await self.users.add_signup(link_hash(token), address, digest, expires)
        link = f"{self.url}/#confirm={token}"
        text = CONFIRM_TEXT.format(link=link, hours=self.settings.signup_link_hours)
        await self.mail(Mail(address, CONFIRM_SUBJECT, text))

    async def mail(self, mail: Mail) -> None:
        try:
            await self.mailer.send(mail)
        except Exception:  # the person's answer does not wait on mail; say it here
            logger.exception("could not send a mail", extra={"fields": {"subject": mail.subject}})

    async def confirm(self, token: str) -> User:
        """The account of a sign-up link (once, before it expires)."""
        pending = await self.users.take_signup(link_hash(token), self.clock.now())
        if pending is None:
            raise InvalidLink(token)
        user = User(id=str(uuid.uuid4()), email=pending["email"])
        try:
            await self.users.add(user.id, user.email, pending["password_hash"], self.clock.now())
        except DuplicateKeyError:  # two links for one address: the first one used made it
            raise EmailTaken(user.email) from None
        return user

    @property
    def url(self) -> str:
        return self.settings.public_url.rstrip("/")

    async def sign_in(self, email: str, password: str) -> User:
        key, now = email.lower(), self.clock.now()
        window = timedelta(seconds=self.settings.signin_window_s)
        # reserve, then check: the attempt counts before the password is looked at
        attempts = await self.users.count_attempt(key, now, window)
        if signin_blocked(attempts - 1, self.settings.signin_max_failures):
            raise TooManyAttempts(key)
        found = await self.users.by_email(key)
        try:
            if found is None:
                await off_the_loop(hasher.hash, password)  # the same time as a real check
                raise VerificationError
            await off_the_loop(hasher.verify, found["password_hash"], password)
        except VerificationError:
            raise BadCredentials from None
        await self.users.clear_failures(key)
        return User(id=found["_id"], email=found["email"])

    async def change_password(
        self, user_id: str, current: str, new: str, sessions: Sessions
    ) -> User:
        """Check the current password (counted as a sign-in attempt, so a session in the
        wrong hands cannot guess it faster than sign-in allows), set the new one and end every
        session of the person: the caller starts a new one for this browser.

        Sessions are ended before and after the new password is stored: a crash in between
        leaves no session of before the change alive but the few started in those moments,
        and a crash before the change leaves the old password and no session (the person
        signs in and changes it again)."""
        found = await self.users.by_id(user_id)
        if found is None:
            raise BadCredentials
        key, now = str(found["email"]), self.clock.now()
        window = timedelta(seconds=self.settings.signin_window_s)
        attempts = await self.users.count_attempt(key, now, window)
        if signin_blocked(attempts - 1, self.settings.signin_max_failures):
            raise TooManyAttempts(key)
        try:
            await off_the_loop(hasher.verify, found["password_hash"], current)
        except VerificationError:
            raise BadCredentials from None
        await self.users.clear_failures(key)
        digest = await off_the_loop(hasher.hash, new)
        await sessions.end_all(user_id, now)
        if not await self.users.replace_password(user_id, found["password_hash"], digest, now):
            raise ChangedMeanwhile(user_id)
        await sessions.end_all(user_id, self.clock.now())
        logger.info("password changed; every session ended", extra={"fields": {"user": user_id}})
        await self.mail(Mail(key, CHANGED_SUBJECT, CHANGED_TEXT.format(url=self.url)))
        return User(id=user_id, email=key)

    async def connect(self, user_id: str, code: str, verifier: str | None) -> str:
        tokens = await self.tiktok.exchange_code(code, self.settings.tiktok_redirect_uri, verifier)
        granted = set(tokens.scope.split(","))
        missing = [scope for scope in NEEDED_SCOPES if scope not in granted]
        if missing:
            # nothing is kept: the partial authorisation is revoked at TikTok (best effort)
            try:
                await self.tiktok.revoke(tokens.access_token)
            except Exception:
                logger.warning("could not revoke a partial authorisation")
            raise PermissionNotGranted(NEEDED_SCOPES[missing[0]])
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
            },
            self.clock.now(),
        )
        await self.accounts.set_fields(
            account_id,
            {
                **self.keeper.sealed(account_id, tokens),
                "connected_at": self.clock.now(),  # what TikTok's removals are compared with
                "lease_until": None,
                "lease_owner": None,
            },
        )
        await self.keeper.audit.append(account_id, "connected", scope=tokens.scope)
        logger.info("tiktok account connected", extra={"fields": {"account_id": account_id}})
        return account_id
