"""The local gateway (a real nginx, no stack) believes X-Forwarded-For only from a configured
trusted proxy: behind a load balancer each person has their own sign-in budget, and anyone else
who writes the header changes nothing (neither their budget nor what the services are told)."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from gatepost_devstack.config import Ports
from gatepost_devstack.gateway import nginx_binary, nginx_config
from gatepost_devstack.supervisor import port_open


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Auth(BaseHTTPRequestHandler):
    """auth's sign-in as far as the gateway can tell: every guess is wrong."""

    seen: list[str] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        Auth.seen.append(self.headers.get("x-forwarded-for", ""))
        self.send_response(401)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *_: object) -> None:
        return


@contextmanager
def gateway(folder: Path, trusted: list[str]) -> Iterator[str]:
    ports = Ports(gateway=free_port(), auth=free_port())
    upstream = ThreadingHTTPServer(("127.0.0.1", ports.auth), Auth)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    config = nginx_config(ports, folder, trusted)
    nginx = subprocess.Popen([nginx_binary(), "-c", str(config), "-p", str(folder)])
    try:
        deadline = time.monotonic() + 30
        while not port_open("127.0.0.1", ports.gateway):
            assert nginx.poll() is None and time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.1)
        yield f"http://127.0.0.1:{ports.gateway}/api/auth/signin"
    finally:
        nginx.terminate()
        nginx.wait(10)
        upstream.shutdown()


def guesses(url: str, forwarded_for: list[str]) -> list[int]:
    codes = []
    for address in forwarded_for:
        body = {"email": "nobody@example.com", "password": "guess"}
        answer = httpx.post(url, json=body, headers={"X-Forwarded-For": address}, timeout=30)
        codes.append(answer.status_code)
    return codes


def test_behind_a_trusted_proxy_each_client_has_its_own_sign_in_budget(tmp_path: Path) -> None:
    Auth.seen.clear()
    with gateway(tmp_path, ["127.0.0.1/32"]) as url:
        people = [f"203.0.113.{i}" for i in range(1, 16)]
        assert set(guesses(url, people)) == {401}  # 15 people, one guess each: none limited
        one = guesses(url, ["198.51.100.7"] * 15)
        assert one.count(429) >= 3  # one person past the burst of 10
    assert Auth.seen[:15] == people  # the services are told who the client is


def test_a_header_from_an_untrusted_client_is_ignored(tmp_path: Path) -> None:
    Auth.seen.clear()
    with gateway(tmp_path, []) as url:
        spoofed = [f"203.0.113.{i}" for i in range(1, 16)]
        codes = guesses(url, spoofed)
    assert codes.count(429) >= 3  # one address, one budget, whatever the header said
    assert set(Auth.seen) == {"127.0.0.1"}  # and the services hear the real address


def test_a_trusted_proxy_that_is_no_address_is_refused_by_name(tmp_path: Path) -> None:
    try:
        nginx_config(Ports(), tmp_path, ["10.0.0.0/8", "the balancer"])
    except ValueError as refused:
        assert "'the balancer' is no address or range" in str(refused)
    else:
        raise AssertionError("a bad TRUSTED_PROXIES entry was accepted")
