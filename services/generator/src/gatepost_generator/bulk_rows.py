"""A bulk import's body, read by the route itself (a JSON list or a CSV upload, bounded before
anything is parsed), and its description for the OpenAPI document."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.datastructures import UploadFile

from gatepost_generator.imports import MAX_IMPORT_ROWS, ImportRejected, ImportTooLarge

MAX_UPLOAD_BYTES = 5_000_000
BULK_BODY_BYTES = MAX_UPLOAD_BYTES + 64_000  # the CSV and its multipart framing


class NewTopic(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"text": "Three tea rituals to try", "account_id": "acc_5f2c"}]
        },
    )
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


def parse_csv(data: bytes, default_account: str | None) -> list[dict[str, str | None]]:
    """Rows of a CSV upload with a header naming `text` and (or a default for) `account_id`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected("the CSV file must be UTF-8") from None
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = reader.fieldnames
    except csv.Error as error:
        raise ImportRejected(f"the CSV file is malformed: {error}") from None
    if not header or "text" not in header:
        raise ImportRejected("the CSV file needs a header row with a 'text' column")
    if "account_id" not in header and not default_account:
        raise ImportRejected("give an 'account_id' column or the account_id parameter")
    rows: list[dict[str, str | None]] = []
    try:
        for row in reader:  # read row by row: an over-long import stops at the first extra row
            if len(rows) == MAX_IMPORT_ROWS:
                raise ImportRejected(f"at most {MAX_IMPORT_ROWS} topics per import")
            rows.append(
                {"text": row.get("text"), "account_id": row.get("account_id") or default_account}
            )
    except csv.Error as error:
        raise ImportRejected(
            f"the CSV file is malformed (line {reader.line_num}): {error}"
        ) from None
    return rows
