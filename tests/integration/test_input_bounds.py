"""Bad or outsized input is refused with a 4xx at the door, never a 500, and never after it
cost memory; lists are pages; every service reports its background workers in /readyz."""

from __future__ import annotations

import json
import time

import httpx

from gatepost_devstack.config import SERVICES
from gatepost_devstack.outside import eventually, generated_post, signed_up
from gatepost_devstack.stack import Stack


def test_offsets_beyond_any_page_are_refused_not_a_server_error(stack: Stack) -> None:
    client, _, account_id = signed_up(stack)
    huge = 2**63
    for path in (
        "/api/generator/topics",
        "/api/approval/posts",
        f"/api/publisher/accounts/{account_id}/audit",
    ):
        answer = client.get(path, params={"offset": huge})
        assert answer.status_code == 422, (path, answer.status_code, answer.text)


def test_bulk_imports_are_bounded_before_they_are_parsed(stack: Stack) -> None:
    client, _, account_id = signed_up(stack)
    big = json.dumps({"topics": [{"text": "x" * 1000, "account_id": account_id}] * 6000})
    too_big = client.post(
        "/api/generator/topics/bulk", content=big, headers={"content-type": "application/json"}
    )
    assert too_big.status_code == 413 and "larger than" in too_big.json()["detail"]

    long_field = f'text,account_id\n"{"y" * 200_000}",{account_id}\n'.encode()
    malformed = client.post("/api/generator/topics/bulk", files={"file": ("t.csv", long_field)})
    assert malformed.status_code == 422 and "malformed" in malformed.json()["detail"]

    rows = "".join(f"topic {i},{account_id}\n" for i in range(5001))
    too_many = client.post(
        "/api/generator/topics/bulk", files={"file": ("t.csv", f"text,account_id\n{rows}")}
    )
    assert too_many.status_code == 422 and "at most 5000" in too_many.json()["detail"]


async def test_the_audit_log_is_newest_first_a_page_at_a_time(stack: Stack) -> None:
    client, user_id, account_id = signed_up(stack)
    await generated_post(stack, client, user_id, account_id, "Audit paging")
    post = client.get("/api/approval/posts").json()[0]
    approval = {"privacy_level": "SELF_ONLY", "music_usage_consent": True}
    client.post(f"/api/approval/posts/{post['post_id']}/approve", json=approval).raise_for_status()
    base = f"/api/publisher/accounts/{account_id}/audit"

    def entries(**params: int) -> list[dict[str, object]]:
        answer = client.get(base, params=params)
        assert answer.status_code in (200, 404), answer.text  # 404 until the publisher has it
        found: list[dict[str, object]] = answer.json() if answer.status_code == 200 else []
        return found

    def settled() -> list[object] | None:  # publishing (and TikTok's webhooks) are over
        before = [e["seq"] for e in entries()]
        time.sleep(1.5)
        after = [e["seq"] for e in entries()]
        kinds = {e["kind"] for e in entries()}
        return after if after == before and "outcome" in kinds else None

    assert eventually(settled, timeout=90)
    seqs = [e["seq"] for e in entries()]
    assert len(seqs) >= 3 and seqs == sorted(seqs, reverse=True)
    assert [e["seq"] for e in entries(limit=1, offset=1)] == [seqs[1]]


def test_every_service_reports_its_background_workers(stack: Stack) -> None:
    for service in SERVICES:
        checks = httpx.get(f"http://127.0.0.1:{getattr(stack.ports, service)}/readyz").json()
        workers = {k: v for k, v in checks["checks"].items() if k.startswith("worker:")}
        if service in ("generator", "approval", "publisher", "auth"):
            assert workers and all(workers.values()), (service, checks)
