"""The generator's internal route: one new illustration for approval's slide editor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from gatepost_common.access import INTERNAL
from gatepost_common.provided import given
from gatepost_common.slide_style import SlideFormat
from gatepost_generator.adapters import MediaClient
from gatepost_generator.allowance import Allowance
from gatepost_generator.provider import ModelCalls, Usage
from gatepost_generator.provider_errors import plain_reason
from gatepost_generator.schemas import Illustration
from gatepost_generator.turns import on_behalf_of


class IllustrationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prompt: Annotated[str, Field(min_length=1, max_length=1000)]
    format: SlideFormat = "1080x1080"  # the shape of the post's slides
    user_id: Annotated[str, Field(min_length=1, max_length=200)] | None = None  # counted for


# who may call it: gatepost_common.access
router = APIRouter(tags=["internal"], dependencies=[INTERNAL])


@router.post("/internal/illustrations", status_code=201)
async def illustrate(
    body: IllustrationRequest,
    calls: Annotated[ModelCalls, given(ModelCalls)],
    media: Annotated[MediaClient, given(MediaClient)],
    allowance: Annotated[Allowance, given(Allowance)],
) -> Illustration:
    """For approval's slide editor: one new illustration (one image call, within the
    provider's budgets like every other), stored by media; one of the person's daily images
    (refused 429 over it, before the call)."""
    if body.user_id:
        await allowance.for_images(body.user_id, 1)
    usage = Usage()
    try:
        with on_behalf_of(body.user_id or ""):
            image = await calls.image(body.prompt, usage, body.format)
        stored = await media.store(image, body.format)
    except Exception as error:
        if body.user_id:  # nothing was drawn: the image is not counted
            await allowance.give_back_images(body.user_id, 1)
        raise HTTPException(502, f"the image model failed: {plain_reason(error)}") from None
    return Illustration(url=stored["url"], sha256=stored["sha256"], images=usage.images)
