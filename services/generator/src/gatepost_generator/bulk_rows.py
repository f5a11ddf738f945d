"""A bulk import's body, read by the route itself (a JSON list or a CSV upload, bounded before
anything is parsed), and its description for the OpenAPI document."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.datastructures import UploadFile

from gatepost_generator.library import MAX_IMPORT_ROWS, ImportRejected, ImportTooLarge, parse_csv

MAX_UPLOAD_BYTES = 5_000_000


class NewTopic(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Annotated[str, Field(min_length=1, max_length=2000)]
    account_id: Annotated[str, Field(min_length=1)]


class BulkTopics(BaseModel):
    model_config = ConfigDict(extra="forbid")
    topics: list[Any]


# the bulk route reads its body itself (JSON or a CSV upload, bounded before parsing): documented
BULK_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["topics"],
                    "properties": {
                        "topics": {
                            "type": "array",
                            "maxItems": MAX_IMPORT_ROWS,
                            "items": NewTopic.model_json_schema(),
                        }
                    },
                }
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "UTF-8 CSV, header `text,account_id` (account_id "
                            "may be given as the query's default instead)",
                        }
                    },
                }
            },
        },
    }
}


async def read_rows(request: Request, default_account: str | None) -> list[Any]:
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ImportRejected("send the CSV file in the multipart field 'file'")
        data = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise ImportRejected(f"the CSV file is larger than {MAX_UPLOAD_BYTES} bytes")
        return parse_csv(data, default_account)
    body = bytearray()
    async for part in request.stream():  # bounded before anything is parsed
        body += part
        if len(body) > MAX_UPLOAD_BYTES:
            raise ImportTooLarge(f"the import is larger than {MAX_UPLOAD_BYTES} bytes")
    try:
        return BulkTopics.model_validate_json(bytes(body)).topics
    except ValidationError:
        raise ImportRejected('send JSON {"topics": [...]} or a CSV file') from None
