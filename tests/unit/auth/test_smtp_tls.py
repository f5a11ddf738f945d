"""Mail goes to the relay only over TLS whose certificate is verified: a relay (or a machine on
the path) with a certificate no CA vouches for gets neither the login nor the sign-up link; a
private relay's CA is named in SMTP_URL's `ca_file`."""

from __future__ import annotations

import asyncio
import base64
import datetime
import ipaddress
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from gatepost_auth.mail import Mail, SmtpMailer

LINK = Mail("ada@example.com", "Finish signing up", "https://gatepost.example/signup/secret")


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for localhost that signs itself: (certificate, key) files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "relay.pem", folder / "relay.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@dataclass
class Relay:
    """A small SMTP relay: STARTTLS on a plain port, or TLS from the first byte (SMTPS)."""

    tls: ssl.SSLContext
    logins: list[str] = field(default_factory=list)
    messages: list[bytes] = field(default_factory=list)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        secured = writer.get_extra_info("ssl_object") is not None
        writer.write(b"220 localhost ready\r\n")
        while line := await reader.readline():
            verb = line.split(b" ")[0].strip().upper()
            if verb == b"EHLO":
                offer = b"250-AUTH PLAIN\r\n" if secured else b"250-STARTTLS\r\n"
                writer.write(b"250-localhost\r\n" + offer + b"250 8BITMIME\r\n")
            elif verb == b"STARTTLS":
                writer.write(b"220 go ahead\r\n")
                await writer.drain()
                await writer.start_tls(self.tls)  # raises when the client hangs up
                secured = True
            elif verb == b"AUTH":
                self.logins.append(base64.b64decode(line.split()[-1]).decode())
                writer.write(b"235 ok\r\n")
            elif verb == b"DATA":
                writer.write(b"354 go on\r\n")
                await writer.drain()
                self.messages.append(await reader.readuntil(b"\r\n.\r\n"))
                writer.write(b"250 queued\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                break
            else:
                writer.write(b"250 ok\r\n")
            await writer.drain()
        writer.close()


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    return self_signed(tmp_path)


@pytest.fixture(params=["smtp", "smtps"])
async def relay(
    request: pytest.FixtureRequest, certificate: tuple[Path, Path]
) -> AsyncIterator[tuple[Relay, str]]:
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(*certificate)
    server = Relay(tls)
    secure = request.param == "smtps"
    listening = await asyncio.start_server(
        server.serve, "127.0.0.1", 0, ssl=tls if secure else None
    )
    port = listening.sockets[0].getsockname()[1]
    async with listening:
        yield server, f"{request.param}://relay-user:relay-pass@localhost:{port}"


async def test_a_relay_with_an_unknown_certificate_gets_no_login_and_no_mail(
    relay: tuple[Relay, str],
) -> None:
    server, url = relay
    with pytest.raises(ssl.SSLCertVerificationError):
        await SmtpMailer(url, "Gatepost <no-reply@gatepost.example>").send(LINK)
    assert server.logins == [] and server.messages == []


async def test_a_private_relay_is_trusted_through_its_ca_file(
    relay: tuple[Relay, str], certificate: tuple[Path, Path]
) -> None:
    server, url = relay
    mailer = SmtpMailer(f"{url}?ca_file={certificate[0]}", "no-reply@gatepost.example")
    await mailer.send(LINK)
    assert server.logins == ["\0relay-user\0relay-pass"]
    assert len(server.messages) == 1 and b"signup/secret" in server.messages[0]
