"""The slide editor before approval, through the gateway: edited words give new URLs, a new
picture is one image call, the cover carries the title, the order is the person's, stale edits are
refused, and TikTok pulls exactly the slides the person last saw and approved."""

from __future__ import annotations

import io
from typing import Any

import httpx
from PIL import Image, ImageChops

from gatepost_common.topics import POST_APPROVED
from gatepost_devstack.outside import APPROVAL, collect, event_of, generated_post, has, signed_up
from gatepost_devstack.stack import Stack
from tests.integration.test_publisher import outcome, publishes_of


def post_of(client: httpx.Client, post_id: str) -> dict[str, Any]:
    post: dict[str, Any] = client.get(f"/api/approval/posts/{post_id}").json()
    return post


def picture(url: str) -> Image.Image:
    return Image.open(io.BytesIO(httpx.get(url).content)).convert("RGB")


def urls(post: dict[str, Any]) -> list[str]:
    return [slide["image_url"] for slide in post["slides"]]


async def test_an_edited_slide_is_exactly_what_tiktok_pulls(stack: Stack) -> None:
    client, user_id, account_id = signed_up(stack)
    post_id = await generated_post(stack, client, user_id, account_id, "Edit me before posting")
    before = post_of(client, post_id)
    base = f"/api/approval/posts/{post_id}"
    answer = client.put(
        f"{base}/slides/2/text",
        json={"text": "Words a person chose for slide three", "revision": before["revision"]},
    )
    assert answer.status_code == 200, answer.text
    after = answer.json()
    assert after["slides"][2]["text"] == "Words a person chose for slide three"
    assert after["slides"][2]["image_url"] != before["slides"][2]["image_url"]
    assert urls(after)[:2] + urls(after)[3:] == urls(before)[:2] + urls(before)[3:]
    assert after["revision"] == before["revision"] + 1
    changed = ImageChops.difference(
        picture(after["slides"][2]["image_url"]), picture(before["slides"][2]["image_url"])
    )
    assert changed.getbbox() is not None  # the words on the picture are the new ones

    stale = client.put(
        f"{base}/slides/4/text", json={"text": "From an old tab", "revision": before["revision"]}
    )
    assert stale.status_code == 409 and "changed since you looked" in stale.json()["detail"]
    old_approval = client.post(f"{base}/approve", json=APPROVAL | {"revision": 0})
    assert old_approval.status_code == 409  # not what the person now sees

    approved = client.post(f"{base}/approve", json=APPROVAL | {"revision": after["revision"]})
    assert approved.status_code == 202, approved.text
    assert (await outcome(stack, post_id))["status"] == "PUBLISH_COMPLETE"
    [pulled] = publishes_of(stack, urls(after))  # the edited set, once
    assert before["slides"][2]["image_url"] not in pulled["urls"]
    late = client.put(f"{base}/slides/1/text", json={"text": "Too late", "revision": 1})
    assert late.status_code == 409


async def test_a_new_picture_the_cover_and_the_order_are_the_persons(stack: Stack) -> None:
    client, user_id, account_id = signed_up(stack)
    post_id = await generated_post(stack, client, user_id, account_id, "Rearrange my slides")
    base = f"/api/approval/posts/{post_id}"
    first = post_of(client, post_id)
    calls = f"http://127.0.0.1:{stack.ports.openai}/_control/calls"
    drawn_before = len([c for c in httpx.get(calls).json() if c["kind"] == "image"])
    redrawn = client.post(f"{base}/slides/4/redraw", json={"revision": first["revision"]}).json()
    image_calls = [c for c in httpx.get(calls).json() if c["kind"] == "image"][drawn_before:]
    assert [c["prompt"] for c in image_calls] == [first["slides"][4]["prompt"]]  # one call
    assert redrawn["slides"][4]["illustration_sha256"] != first["slides"][4]["illustration_sha256"]
    assert urls(redrawn)[:4] + urls(redrawn)[5:] == urls(first)[:4] + urls(first)[5:]

    covered = client.put(
        f"{base}/cover", json={"position": 3, "revision": redrawn["revision"]}
    ).json()
    assert covered["cover_index"] == 3
    assert covered["slides"][0]["image_url"] != redrawn["slides"][0]["image_url"]  # title off
    assert covered["slides"][3]["image_url"] != redrawn["slides"][3]["image_url"]  # title on
    retitled = client.patch(
        base, json={"title": "A new hook", "revision": covered["revision"]}
    ).json()
    assert retitled["slides"][3]["image_url"] != covered["slides"][3]["image_url"]
    assert urls(retitled)[:3] == urls(covered)[:3]

    order = [1, 2, 3, 4, 5, 6, 0]
    ordered = client.put(
        f"{base}/order", json={"order": order, "revision": retitled["revision"]}
    ).json()
    assert urls(ordered) == [urls(retitled)[i] for i in order]
    assert ordered["cover_index"] == 2  # the same slide, at its new place
    bad = client.put(f"{base}/order", json={"order": [0, 0, 1, 2, 3, 4, 5], "revision": 0})
    assert bad.status_code == 422

    client.post(f"{base}/approve", json=APPROVAL | {"revision": ordered["revision"]})
    [event] = await collect(stack.kafka_bootstrap, POST_APPROVED, has("post_id", post_id))
    signed = event_of(event)["data"]
    assert signed["photo_urls"] == urls(ordered) and signed["cover_index"] == 2


async def test_words_no_font_can_draw_are_refused_with_the_reason(stack: Stack) -> None:
    client, user_id, account_id = signed_up(stack)
    post_id = await generated_post(stack, client, user_id, account_id, "Refuse odd glyphs")
    post = post_of(client, post_id)
    answer = client.put(
        f"/api/approval/posts/{post_id}/slides/1/text",
        json={"text": "ሰላም friends", "revision": post["revision"]},
    )
    assert answer.status_code == 422 and "ETHIOPIC" in answer.json()["detail"]
    assert post_of(client, post_id)["slides"][1] == post["slides"][1]
    stranger, _, _ = signed_up(stack)
    other = stranger.put(
        f"/api/approval/posts/{post_id}/slides/1/text", json={"text": "mine", "revision": 0}
    )
    assert other.status_code == 404


async def test_the_accounts_style_is_applied_to_new_slides(stack: Stack) -> None:
    client, user_id, account_id = signed_up(stack)
    base = f"/api/auth/accounts/{account_id}/style"
    unreadable = client.put(base, json={"text_colour": "#777777", "box_colour": "#666666"})
    assert unreadable.status_code == 422 and "too close" in unreadable.text
    style = {
        "family": "Noto Serif",
        "text_colour": "#111111",
        "box_colour": "#FFFFFF",
        "position": "top",
    }
    saved = client.put(base, json=style)
    # the shape left out is the default: square slides
    assert saved.status_code == 200 and saved.json()["style"] == style | {"format": "1080x1080"}
    stranger, _, _ = signed_up(stack)
    assert stranger.put(base, json=style).status_code == 404

    post_id = await generated_post(stack, client, user_id, account_id, "Styled slides please")
    slide = post_of(client, post_id)["slides"][2]
    media = f"http://127.0.0.1:{stack.ports.media}/internal/slides"
    token = stack.service_auth("approval", "media")
    recipe = {
        "picture_sha256": slide["illustration_sha256"],
        "text": slide["text"],
        "language": "en",
    }
    styled = httpx.post(media, json=recipe | {"style": style}, auth=token).json()
    plain = httpx.post(media, json=recipe, auth=token).json()
    assert slide["sha256"] == styled["sha256"] != plain["sha256"]  # this style, these bytes
