"""How a stand-in process serves its app (both stand-ins' `__main__`)."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI


def serve(app: FastAPI, host: str, port: int) -> None:
    # Idle connections stay 30 s, longer than httpx keeps them (5 s): a client never reuses a
    # connection the server is closing.
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_keep_alive=30)
