"""Mail to people: the link that finishes signing up. SMTP in production; locally and in tests a
mailbox file (JSON lines) that `GET /mailbox` shows, since nothing here can send real mail."""

from __future__ import annotations

import asyncio
import json
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str


class Mailer(Protocol):
    async def send(self, mail: Mail) -> None: ...


class FileMailbox:
    """Every mail appended to a file: the local run's and the tests' post office."""

    def __init__(self, path: Path) -> None:
        self.path = path

    async def send(self, mail: Mail) -> None:
        line = json.dumps({**vars(mail), "at": datetime.now(UTC).isoformat()}) + "\n"
        await asyncio.to_thread(self._append, line)

    def _append(self, line: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(line)

    def latest(self, count: int = 20) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()[-count:]
        return [json.loads(line) for line in reversed(lines)]


class SmtpMailer:
    """SMTP_URL: smtp://user:password@host:587 (STARTTLS) or smtps://…:465 (TLS). The relay's
    certificate is verified (the login and every sign-up link travel in it): against the
    system's CAs, or, for a private relay, those in `?ca_file=/path/to/ca.pem`."""

    def __init__(self, url: str, sender: str) -> None:
        self.url, self.sender = urlsplit(url), sender
        ca_file = parse_qs(self.url.query).get("ca_file", [None])[0]
        self.tls = ssl.create_default_context(cafile=ca_file)

    async def send(self, mail: Mail) -> None:
        await asyncio.to_thread(self._send, mail)

    def _send(self, mail: Mail) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, mail.to, mail.subject
        message.set_content(mail.text)
        host, secure = self.url.hostname or "localhost", self.url.scheme == "smtps"
        port = self.url.port or (465 if secure else 587)
        smtp = (
            smtplib.SMTP_SSL(host, port, timeout=20, context=self.tls)
            if secure
            else smtplib.SMTP(host, port, timeout=20)
        )
        with smtp:
            if not secure:
                smtp.starttls(context=self.tls)  # refused by the relay: SMTPNotSupportedError
            if self.url.username:
                smtp.login(unquote(self.url.username), unquote(self.url.password or ""))
            smtp.send_message(message)
