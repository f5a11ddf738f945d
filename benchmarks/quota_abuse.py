"""The abuse run's quota cases: signed-in people, each over one daily quota, with the requests
that would pass it sent at once. Each case's answers are counted, and a case fails on any 5xx,
on a refusal that is not the quota's (429/413 naming it), or on an overrun: more accepted than
the limit, or a count (`GET …/usage`) that differs from what was accepted."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx
from PIL import Image

from gatepost_devstack.outside import eventually, signed_up
from gatepost_devstack.stack import Stack

# small quotas for the abuse stack, so each can be passed in a few requests
LIMITS = {
    "QUOTA_TOPICS_PER_DAY": "10",
    "QUOTA_IMAGES_PER_DAY": "75",  # ten topics' 70, and five redraws
    "QUOTA_IMPORTS_PER_DAY": "3",
    "QUOTA_STORED_BYTES_PER_DAY": "400000",
}
PHOTO = 100_000  # bytes of noise, as a JPEG a little larger


@dataclass
class Case:
    name: str
    kind: str  # the quota passed
    answers: dict[int, int] = field(default_factory=dict)
    accepted: int = 0  # units of the quota the accepted requests used
    used: int = -1  # what the service counted
    limit: int = 0
    failures: list[str] = field(default_factory=list)

    def heard(self, answer: httpx.Response, units: int) -> None:
        self.answers[answer.status_code] = self.answers.get(answer.status_code, 0) + 1
        if answer.is_success:
            self.accepted += units
        elif answer.status_code >= 500:
            self.failures.append(f"{self.name}: {answer.status_code}")
        elif answer.status_code in (413, 429):
            quota = (answer.json().get("quota") or {}) if answer.content else {}
            if quota.get("kind") != self.kind or "retry-after" not in answer.headers:
                self.failures.append(f"{self.name}: a refusal not naming {self.kind}")
        else:
            self.failures.append(f"{self.name}: {answer.status_code} {answer.text[:120]}")

    def counted(self, client: httpx.Client, path: str) -> None:
        [quota] = [q for q in client.get(path).json()["quotas"] if q["kind"] == self.kind]
        self.used, self.limit = quota["used"], quota["limit"]
        if self.accepted > self.limit or self.used > self.limit:
            self.failures.append(f"{self.name}: overrun ({self.accepted} of {self.limit})")
        if self.used != self.accepted:
            self.failures.append(f"{self.name}: counted {self.used}, accepted {self.accepted}")
        if 413 not in self.answers and 429 not in self.answers:
            self.failures.append(f"{self.name}: never refused")


def at_once(requests: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(lambda send: send(), requests))


def topic(client: httpx.Client, account_id: str, n: int) -> Callable[[], httpx.Response]:
    body = {"text": f"Balcony herbs that like shade, part {n}", "account_id": account_id}
    return lambda: client.post("/api/generator/topics", json=body)


def imports(stack: Stack) -> Case:
    client, _, account_id = signed_up(stack)
    case = Case("imports: 6 one-row imports at once", "imports")
    rows = {"topics": [{"text": "Mint in a shady corner", "account_id": account_id}]}
    sends = [lambda: client.post("/api/generator/topics/bulk", json=rows)] * 6
    for answer in at_once(sends):
        case.heard(answer, 1)
    case.counted(client, "/api/generator/usage")
    return case


def topics_then_images(stack: Stack) -> list[Case]:
    """Fourteen topics at once (ten fit); then redraws of one of their posts' slides until the
    images run out (ten topics' 70 and five redraws)."""
    client, _, account_id = signed_up(stack)
    typed = Case("topics: 14 typed topics at once", "topics")
    for answer in at_once([topic(client, account_id, n) for n in range(14)]):
        typed.heard(answer, 1)
    typed.counted(client, "/api/generator/usage")
    images = Case("images: 8 slide redraws, one after another", "images")
    images.accepted = 7 * typed.accepted
    posts = eventually(lambda: client.get("/api/approval/posts").json(), timeout=300)
    if not posts:
        images.failures.append("images: no post was generated to redraw")
        return [typed, images]
    post = client.get(f"/api/approval/posts/{posts[0]['post_id']}").json()
    revision = post["revision"]
    for _ in range(8):  # one at a time: each redraw needs the revision the last one made
        answer = client.post(  # a redraw answers once the picture is drawn and composed
            f"/api/approval/posts/{post['post_id']}/slides/1/redraw",
            json={"revision": revision},
            timeout=120,
        )
        images.heard(answer, 1)
        if answer.is_success:
            revision = answer.json()["revision"]
    images.counted(client, "/api/generator/usage")
    return [typed, images]


def stored_bytes(stack: Stack) -> Case:
    client, _, account_id = signed_up(stack)
    case = Case("stored bytes: 6 photo uploads at once", "stored_bytes")
    photos = [noise_jpeg(n) for n in range(6)]

    def upload(data: bytes) -> Callable[[], httpx.Response]:
        form = {"account_id": account_id, "title": "Noise"}
        files = [("files", ("noise.jpg", data, "image/jpeg"))]
        return lambda: client.post("/api/approval/uploads", data=form, files=files)

    for answer, data in zip(at_once([upload(p) for p in photos]), photos, strict=True):
        case.heard(answer, len(data))
    case.counted(client, "/api/approval/uploads/usage")
    return case


def noise_jpeg(seed: int) -> bytes:
    side = 300  # about 90 kB of noise: six pass the 400 kB quota
    picture = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=95 - seed)
    return out.getvalue()


def quota_cases(stack: Stack) -> list[Case]:
    return [imports(stack), *topics_then_images(stack), stored_bytes(stack)]


def quota_report(cases: list[Case]) -> list[str]:
    print(
        f"\n{'a signed-in person over a daily quota':<46}{'answers':<26}{'accepted, counted':>22}"
    )
    for c in cases:
        answers = ", ".join(f"{n}× {status}" for status, n in sorted(c.answers.items()))
        print(f"{c.name:<46}{answers:<26}{f'{c.accepted}, {c.used} of {c.limit}':>22}")
    return [failure for c in cases for failure in c.failures]
