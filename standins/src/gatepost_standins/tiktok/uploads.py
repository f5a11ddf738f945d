"""The FILE_UPLOAD chunk endpoint: `PUT {upload_url}` with `Content-Range`, sequential chunks,
206 for each accepted chunk, 201 when the file is complete; bare HTTP statuses, no envelope."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request, Response

from gatepost_standins.tiktok.context import Context
from gatepost_standins.tiktok.processing import process
from gatepost_standins.tiktok.rules import chunk_bounds

VIDEO_TYPES = {"video/mp4", "video/quicktime", "video/webm"}
RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")


def upload_routes(ctx: Context) -> APIRouter:
    router = APIRouter()

    @router.put("/upload/")
    @router.put("/video/")
    async def put_chunk(request: Request) -> Response:
        q = request.query_params
        publish = ctx.world.uploads.get(q.get("upload_id", ""))
        upload = publish.upload if publish else None
        if publish is None or upload is None or q.get("upload_token") != upload.upload_token:
            return Response(status_code=404)
        if upload.expires_at <= ctx.world.clock.now():
            return Response(status_code=403)  # upload_url is valid for one hour
        if publish.status != "PROCESSING_UPLOAD":
            return Response(status_code=404)
        if upload.received >= upload.video_size and not ctx.config.completed_upload_answers_416:
            return Response(status_code=404)  # processing has begun: no valid upload task
        match = RANGE.match(request.headers.get("content-range", ""))
        if request.headers.get("content-type") not in VIDEO_TYPES or match is None:
            return Response(status_code=400)
        body = await request.body()
        first, last, total = (int(g) for g in match.groups())
        if len(body) != last - first + 1 or total != upload.video_size:
            return Response(status_code=400)
        index = min(upload.received // upload.chunk_size, upload.total_chunk_count - 1)
        expected = chunk_bounds(
            upload.video_size, upload.chunk_size, upload.total_chunk_count, index
        )
        if (first, last) != expected or first != upload.received:
            return Response(status_code=416, headers=progress(upload.received, total))
        upload.head = upload.head or body[:16]
        upload.digest.update(body)
        upload.chunks.append((first, last))
        upload.received = last + 1
        if upload.received < upload.video_size:
            return Response(status_code=206, headers=progress(upload.received, total))
        ctx.spawn(process(ctx, publish))
        return Response(status_code=201, headers=progress(upload.received, total))

    return router


def progress(received: int, total: int) -> dict[str, str]:
    return {"Content-Range": f"bytes 0-{max(received - 1, 0)}/{total}"}
