"""The gateways: compose's nginx configuration, checked by a real nginx (the compose run itself
needs a Docker engine this machine does not have): TLS with the documented certificate path,
plain http only redirecting; media's volume writable by the service user; and the per-address
sign-in limit, through the local gateway."""

from __future__ import annotations

import datetime
import re
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from gatepost_devstack.gateway import nginx_binary
from gatepost_devstack.stack import Stack

ROOT = Path(__file__).parents[2]


def self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    chain, private = folder / "fullchain.pem", folder / "privkey.pem"
    chain.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return chain, private


def test_the_compose_gateway_serves_tls_and_only_redirects_plain_http(tmp_path: Path) -> None:
    conf = (ROOT / "deploy/nginx/gateway.conf").read_text()
    assert "return 301 https://" in conf.split("listen 8443")[0]  # port 8080 only redirects
    chain, private = self_signed(tmp_path)
    conf = conf.replace("/etc/gatepost/tls/fullchain.pem", str(chain))
    conf = conf.replace("/etc/gatepost/tls/privkey.pem", str(private))
    conf = re.sub(r"http://\w+:(\d+)", r"http://127.0.0.1:\1", conf)  # compose's host names
    conf = conf.replace("/var/log/nginx/access.log", str(tmp_path / "access.log"))
    trusted = ROOT / "deploy/nginx/trusted-proxies.conf"  # what compose mounts there
    conf = conf.replace("/etc/nginx/gatepost/trusted-proxies.conf", str(trusted))
    (tmp_path / "gateway.conf").write_text(conf)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ include {tmp_path}/gateway.conf; }}\n"
    )
    checked = subprocess.run(
        [nginx_binary(), "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    gateway = compose["services"]["gateway"]
    assert "gateway-tls:/etc/gatepost/tls:ro" in gateway["volumes"]
    mounted = "./deploy/nginx/trusted-proxies.conf:/etc/nginx/gatepost/trusted-proxies.conf:ro"
    assert mounted in gateway["volumes"]
    assert gateway["depends_on"]["gateway-tls"]["condition"] == "service_completed_successfully"


def test_media_can_write_its_volume() -> None:
    """A new named volume takes the owner of the image's folder at its mount point."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    media = compose["services"]["media"]
    folder = media["environment"]["MEDIA_DIR"]
    assert f"media-data:{folder}" in media["volumes"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(rf"mkdir -p {folder} && chown gatepost {folder}", dockerfile)
    assert (
        dockerfile.index("useradd")
        < dockerfile.index("chown gatepost")
        < dockerfile.index("USER gatepost")
    )


def test_the_gateway_limits_sign_ins_per_address(stack: Stack) -> None:
    """Password guessing from one address over many e-mails (auth's own throttle counts per
    e-mail): the gateway lets about ten a minute through, then answers 429 itself."""
    signin = f"{stack.gateway_url}/api/auth/signin"

    def attempt(i: int) -> int:
        body = {"email": f"nobody-{uuid.uuid4().hex[:8]}@example.com", "password": f"guess {i:04d}"}
        return httpx.post(signin, json=body, timeout=30).status_code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(attempt, range(30)))
    assert codes.count(429) >= 15 and set(codes) <= {401, 429}, codes
