"""Schemathesis hooks (`SCHEMATHESIS_HOOKS`): each fuzzed request carries a service token of its
own, signed for its method and path, since a token opens one request once. The calling service
and its key come in the environment (test_schemathesis.py sets them)."""

from __future__ import annotations

import os
import time
from typing import Any
from urllib.parse import unquote

import schemathesis

from gatepost_common.access import SERVICE_TOKEN_HEADER, service_token


@schemathesis.auth(refresh_interval=None)
class SignedForEachRequest:
    def get(self, case: Any, context: Any) -> str:
        return service_token(
            os.environ["FUZZ_SERVICE_KEY"],
            os.environ["FUZZ_AS"],
            os.environ["FUZZ_SERVICE"],
            time.time(),
            method=case.method,
            path=unquote(case.formatted_path),
        )

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), SERVICE_TOKEN_HEADER: data}
