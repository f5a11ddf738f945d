"""One whole Gatepost stack: infrastructure, stand-ins (when no credentials are set), the five
services and the gateway, each a real process."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from gatepost_common.access import KAFKA_PRINCIPALS, ServiceAuth
from gatepost_devstack import infra, otlp_sink
from gatepost_devstack.config import (
    SERVICES,
    Ports,
    local_secrets,
    service_auth,
    service_header,
    service_keys_env,
)
from gatepost_devstack.gateway import nginx_binary, nginx_config
from gatepost_devstack.paths import run_dir
from gatepost_devstack.supervisor import Supervisor, http_ok, port_open

# Test runs wait less and cap lower, so caps and back-offs are reachable in seconds.
TEST_TUNING = {
    # an approved post with no word from the publisher is shown stuck after 5 s (production: 15 min)
    "approval": {
        "STUCK_AFTER_S": "5",
        "STUCK_CHECK_INTERVAL_S": "1",
        "MEDIA_RETENTION_INTERVAL_S": "1",
    },
    # a replica's topics are taken over 4 s after it died (production: 60 s)
    "generator": {"LEASE_S": "4", "WORKER_INTERVAL_S": "0.2"},
    # issue 29's insights: auth asks for video.list, the publisher reads the numbers
    "auth": {"INSIGHTS_ENABLED": "true", "REVIEW_MAIL_INTERVAL_S": "1"},
    "publisher": {
        "INSIGHTS_ENABLED": "true",
        "INSIGHTS_INTERVAL_S": "0.5",
        "DAILY_CAP": "3",
        "RATE_LIMITED_BACKOFF_S": "1",
        "TRANSIENT_BACKOFF_S": "0.2",
        "WORKER_INTERVAL_S": "0.3",
        "PUBLIC_GRACE_S": "3",
        # a crashed replica's attempt is resolved 5 s later (production: 120 s)
        "LEASE_S": "5",
        "RECONNECT_CHECK_S": "2",
    },
}


@dataclass
class Stack:
    name: str
    ports: Ports
    fresh: bool = False  # tests start from empty Kafka and MongoDB data
    auto_consent: bool = False
    tracing: bool = False  # the local run with a tracing UI (Zipkin)
    # spans and metric points written to files in the run folder (tests, benchmarks)
    telemetry: bool = False
    environment: str = "local"
    database_prefix: str = "gatepost"
    extra_env: dict[str, str] = field(default_factory=dict)
    mongo_in_memory: bool = False  # the local MongoDB-wire server keeps nothing on disk

    def __post_init__(self) -> None:
        self.folder = run_dir(self.name)
        if self.fresh:
            for part in ("kafka", "mongo", "media", "logs"):
                shutil.rmtree(self.folder / part, ignore_errors=True)
            self.clock_file.unlink(missing_ok=True)
        self.supervisor = Supervisor(self.folder / "logs")
        self.secrets = local_secrets(self.folder)
        self.kafka_bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "")
        # KAFKA_BROKERS=3: a three-broker KRaft cluster (replication 3, min ISR 2), as production
        self.kafka_brokers = int(os.environ.get("KAFKA_BROKERS", "1"))
        self.mongodb_url = os.environ.get("MONGODB_URL", "")
        self.real_tiktok = bool(os.environ.get("TIKTOK_CLIENT_KEY"))
        self.real_openai = bool(os.environ.get("OPENAI_API_KEY"))

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.gateway}"

    @property
    def media_public_url(self) -> str:
        return os.environ.get("MEDIA_PUBLIC_BASE_URL", f"{self.gateway_url}/media")

    @property
    def kafka_config(self) -> infra.KafkaConfig:
        return infra.KafkaConfig(
            self.ports.kafka,
            self.ports.kafka_controller,
            self.folder / "kafka" / "data",
            passwords=json.loads(self.secrets["kafka_passwords"]),
        )

    def kafka_options(self, principal: str = "admin") -> dict[str, str]:
        """aiokafka arguments to sign in as `principal` (`admin`: the super user); none when
        KAFKA_BOOTSTRAP_SERVERS names a broker of the user's own."""
        return infra.client_options(self.kafka_bootstrap, principal)

    def service_token(self, issuer: str, audience: str, method: str, path: str) -> dict[str, str]:
        """The header one call from service `issuer` to `method` `path` of `audience` carries."""
        return service_header(self.secrets, issuer, audience, method, path)

    def service_auth(self, issuer: str, audience: str) -> ServiceAuth:
        """httpx authentication signing each call as service `issuer` to `audience`."""
        return service_auth(self.secrets, issuer, audience)

    def start_infra(self) -> None:
        started_here = not self.kafka_bootstrap
        if started_here and self.kafka_brokers > 1:
            self.kafka_bootstrap = infra.start_kafka_cluster(
                self.supervisor, self.kafka_config, self.kafka_brokers
            )
        elif started_here:
            self.kafka_bootstrap = infra.start_kafka(self.supervisor, self.kafka_config)
        infra.create_topics(
            self.kafka_bootstrap,
            int(os.environ.get("KAFKA_PARTITIONS", infra.PARTITIONS)),
            replicas=min(self.kafka_brokers, 3) if started_here else 1,
        )
        if not self.mongodb_url:
            self.mongodb_url = infra.start_mongo(
                self.supervisor,
                infra.MongoConfig(self.ports.mongo, self.folder / "mongo", self.mongo_in_memory),
            )

    @property
    def telemetry_folder(self) -> Path:
        return self.folder / "telemetry"

    @property
    def exports_telemetry(self) -> bool:
        return self.telemetry or self.tracing or self.environment == "test"

    def spans(self) -> list[dict[str, Any]]:
        """Every span the services exported so far (see `otlp_sink.spans_of`)."""
        return otlp_sink.read(self.telemetry_folder / "spans.jsonl")

    def metric_points(self) -> list[dict[str, Any]]:
        """Every metric data point the services exported so far (see `otlp_sink.points_of`)."""
        return otlp_sink.read(self.telemetry_folder / "metrics.jsonl")

    def start_telemetry(self) -> None:
        """An OTLP receiver that writes every span and metric point the services export to
        files (tests read them) and, with `tracing`, forwards spans to Zipkin's UI."""
        shutil.rmtree(self.telemetry_folder, ignore_errors=True)
        command = [
            sys.executable,
            "-m",
            "gatepost_devstack.otlp_sink",
            str(self.ports.otlp),
            str(self.telemetry_folder),
        ]
        if self.tracing:
            command += ["--zipkin", infra.start_zipkin(self.supervisor, self.ports.zipkin)]
        self.supervisor.start(
            "otlp-sink", command, ready=lambda: port_open("127.0.0.1", self.ports.otlp)
        )

    def start_standins(self) -> None:
        python = sys.executable
        if not self.real_tiktok:
            config: dict[str, Any] = {
                "redirect_uris": [self.redirect_uri],
                "auto_consent": self.auto_consent,
                "verified_url_prefixes": [f"{self.media_public_url}/"],
                "webhook_url": f"{self.gateway_url}/api/publisher/webhooks/tiktok",
                # local media is served from 127.0.0.1 over plain http
                "require_https": False,
                "ip_url_prefixes": True,
            }
            if self.environment == "test":
                config["moderation_delay_s"] = 1.0  # minutes in the local run, as on TikTok
            path = self.folder / "tiktok-standin.json"
            path.write_text(json.dumps(config))
            self.supervisor.start(
                "tiktok-standin",
                [
                    python,
                    "-m",
                    "gatepost_standins.tiktok",
                    "--port",
                    str(self.ports.tiktok),
                    "--config",
                    str(path),
                ],
                ready=lambda: port_open("127.0.0.1", self.ports.tiktok),
            )
        if not self.real_openai:
            self.supervisor.start(
                "openai-standin",
                [python, "-m", "gatepost_standins.openai", "--port", str(self.ports.openai)],
                ready=lambda: port_open("127.0.0.1", self.ports.openai),
            )

    @property
    def clock_file(self) -> Path:
        """Seconds added to the services' clocks (test runs), moved with the stand-in's."""
        return self.folder / "clock-offset"

    def advance_clock(self, seconds: float) -> None:
        """The stand-in's clock first, then the services': a service never reads a time TikTok
        has not reached (a status poll in between would find moderation not over yet)."""
        httpx.post(
            f"http://127.0.0.1:{self.ports.tiktok}/_control/clock/advance",
            params={"seconds": seconds},
        ).raise_for_status()
        self.clock_file.write_text(str(self.clock_offset_s() + seconds))

    def clock_offset_s(self) -> float:
        return float(self.clock_file.read_text() or 0) if self.clock_file.exists() else 0.0

    def now(self) -> datetime:
        """The services' time: the real one, moved as `advance_clock` moved it."""
        return datetime.now(UTC) + timedelta(seconds=self.clock_offset_s())

    @property
    def mailbox(self) -> Path:
        """Where auth's mail goes in a local or test run (shown at /api/auth/mailbox)."""
        return self.folder / "mailbox.jsonl"

    @property
    def redirect_uri(self) -> str:
        return f"{self.gateway_url}/api/auth/tiktok/callback"

    def service_env(self, service: str) -> dict[str, str]:
        s, p = self.secrets, self.ports
        tiktok_api = (
            "https://open.tiktokapis.com" if self.real_tiktok else f"http://127.0.0.1:{p.tiktok}"
        )
        env = {
            "ENVIRONMENT": self.environment,
            "HTTP_PORT": str(getattr(p, service)),
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap,
            "MONGODB_URL": self.mongodb_url,
            "MONGODB_DATABASE": f"{self.database_prefix}_{service}",
            "SESSION_PUBLIC_KEY": s["session_public_key"],
            **service_keys_env(s, service),
            "TIKTOK_CLIENT_KEY": os.environ.get("TIKTOK_CLIENT_KEY", "gatepost-local"),
            "TIKTOK_CLIENT_SECRET": os.environ.get(
                "TIKTOK_CLIENT_SECRET", "local-only-tiktok-client-secret"
            ),
            "TIKTOK_API_BASE": tiktok_api,
            # glibc otherwise raises its mmap threshold after the first large buffers are freed,
            # and then keeps picture-sized buffers in its heaps: media held ~640 MB after 16 posts
            # instead of ~100 (docs/benchmarks.md#memory). A fixed threshold gives them back.
            "MALLOC_MMAP_THRESHOLD_": str(128 * 1024),
        }
        per_service = {
            "auth": {
                "SESSION_PRIVATE_KEY": s["session_private_key"],
                "TOKEN_KEYS": json.dumps({"local-1": s["token_key"]}),
                "ACTIVE_TOKEN_KEY": "local-1",
                "STATE_SECRET": s["state_secret"],
                "COOKIE_SECURE": "false",
                "TIKTOK_REDIRECT_URI": self.redirect_uri,
                "PUBLIC_URL": self.gateway_url,
                "MAILBOX_FILE": str(self.mailbox),
                "TIKTOK_AUTHORIZE_URL": (
                    "https://www.tiktok.com/v2/auth/authorize/"
                    if self.real_tiktok
                    else f"http://127.0.0.1:{p.tiktok}/v2/auth/authorize/"
                ),
            },
            "media": {
                "MEDIA_DIR": str(self.folder / "media"),
                "PUBLIC_BASE_URL": self.media_public_url,
                # videos by URL come from this machine in the local run and the tests
                "FETCH_PRIVATE_ADDRESSES": "true",
            },
            "generator": {
                "MEDIA_URL": f"http://127.0.0.1:{p.media}",
                "AUTH_URL": f"http://127.0.0.1:{p.auth}",
                "PUBLISHER_URL": f"http://127.0.0.1:{p.publisher}",
                "OPENAI_API_KEY": os.environ.get("OPENAI_API_KEY", "local-only-openai-key"),
                "OPENAI_BASE_URL": os.environ.get("OPENAI_BASE_URL", "")
                if self.real_openai
                else f"http://127.0.0.1:{p.openai}/v1",
            },
            "approval": {
                "APPROVAL_SIGNING_KEY": s["approval_signing_key"],
                "PUBLIC_URL": self.gateway_url,
                # webhook receivers of the local run and the tests listen on 127.0.0.1
                "WEBHOOK_PRIVATE_ADDRESSES": "true",
                "AUTH_URL": f"http://127.0.0.1:{p.auth}",
                "MEDIA_URL": f"http://127.0.0.1:{p.media}",
                "GENERATOR_URL": f"http://127.0.0.1:{p.generator}",
                "PUBLISHER_URL": f"http://127.0.0.1:{p.publisher}",
            },
            "publisher": {
                "APPROVAL_PUBLIC_KEY": s["approval_public_key"],
                "AUTH_URL": f"http://127.0.0.1:{p.auth}",
                "VERIFIED_URL_PREFIXES": json.dumps([f"{self.media_public_url}/"]),
                "STATUS_POLL_INTERVAL_S": "0.5",
            },
        }
        env |= per_service[service]
        kafka = self.kafka_options(service) if service in KAFKA_PRINCIPALS else {}
        if kafka:  # its own principal: the broker's ACLs say what it may read and write
            env["KAFKA_USERNAME"] = kafka["sasl_plain_username"]
            env["KAFKA_PASSWORD"] = kafka["sasl_plain_password"]
        if self.exports_telemetry:
            env["OTEL_EXPORTER_OTLP_ENDPOINT"] = f"http://127.0.0.1:{p.otlp}"
            env["OTEL_BSP_SCHEDULE_DELAY"] = "200"
            env["OTEL_METRIC_EXPORT_INTERVAL"] = "10000" if self.tracing else "1000"
        if self.environment == "test":
            env["CLOCK_OFFSET_FILE"] = str(self.clock_file)
            env |= TEST_TUNING.get(service, {})
        if not env.get("OPENAI_BASE_URL"):
            env.pop("OPENAI_BASE_URL", None)
        return {**env, **self.extra_env}

    def start_service(self, service: str) -> None:
        port = getattr(self.ports, service)
        self.supervisor.start(
            service,
            [sys.executable, "-m", f"gatepost_{service}"],
            ready=lambda: http_ok(f"http://127.0.0.1:{port}/readyz"),
            env=self.service_env(service),
            timeout=180,  # a loaded machine (several stacks on two cores) imports slowly
        )

    def start_gateway(self) -> None:
        trusted = [p for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip()]
        config = nginx_config(self.ports, self.folder, trusted)
        self.supervisor.start(
            "gateway",
            [nginx_binary(), "-c", str(config), "-p", str(self.folder)],
            ready=lambda: port_open("127.0.0.1", self.ports.gateway),
        )

    def start(self) -> None:
        try:
            self.start_infra()
            if self.exports_telemetry:
                self.start_telemetry()
            self.start_standins()
            for service in SERVICES:
                self.start_service(service)
            self.start_gateway()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        self.supervisor.stop()

    def describe(self) -> str:
        p = self.ports
        lines = [
            f"gateway (web UI and /api)  {self.gateway_url}",
            *(f"{s:<26} http://127.0.0.1:{getattr(p, s)}  (docs: /docs)" for s in SERVICES),
            f"Kafka                      {self.kafka_bootstrap}"
            + (
                "  (SASL/SCRAM: other systems sign in as `ingest`, password in "
                f"{self.folder / 'secrets.json'})"
                if self.kafka_options()
                else ""
            ),
            f"MongoDB                    {self.mongodb_url}",
            "TikTok                     "
            + (
                "TikTok's API (TIKTOK_CLIENT_KEY is set)"
                if self.real_tiktok
                else f"stand-in http://127.0.0.1:{p.tiktok}"
            ),
            "OpenAI                     "
            + (
                "OPENAI_API_KEY is set"
                if self.real_openai
                else f"stand-in http://127.0.0.1:{p.openai}/v1"
            ),
            f"mail to people (sign-up)   {self.gateway_url}/api/auth/mailbox",
            f"logs                       {self.supervisor.logs}",
        ]
        if self.tracing:
            lines.insert(-1, f"tracing UI (Zipkin)        http://127.0.0.1:{p.zipkin}/zipkin/")
            lines.insert(-1, f"OTLP/HTTP receiver         http://127.0.0.1:{p.otlp}")
        return "\n".join(lines)


def sign_up_by_link(
    http: httpx.Client, mailbox: Path, email: str, password: str, auth: str = ""
) -> dict[str, Any]:
    """Sign up by API as a person would: ask (202), then open the link mailed to the address
    (201, a session in `http`'s cookies). `auth`: where auth's routes are (`/api/auth` through
    the gateway). Returns the confirmation's answer (user_id, email, csrf_token)."""
    asked = http.post(f"{auth}/signup", json={"email": email, "password": password})
    if asked.status_code != 202:
        raise RuntimeError(f"sign-up answered {asked.status_code}: {asked.text}")
    confirmed = http.post(f"{auth}/signup/confirm", json={"token": signup_token(mailbox, email)})
    if confirmed.status_code != 201:
        raise RuntimeError(f"the sign-up link answered {confirmed.status_code}: {confirmed.text}")
    answer: dict[str, Any] = confirmed.json()
    return answer


def signup_token(mailbox: Path, email: str) -> str:
    """The token of the newest sign-up link mailed to `email` (as the person would click it)."""
    for line in reversed(mailbox.read_text(encoding="utf-8").splitlines()):
        mail = json.loads(line)
        if mail["to"] == email.lower() and (found := re.search(r"#confirm=([\w-]+)", mail["text"])):
            return found.group(1)
    raise LookupError(f"no sign-up link was mailed to {email}")
