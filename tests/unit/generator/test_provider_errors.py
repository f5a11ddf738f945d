"""A model provider's failure reaches people as a plain reason, never as the provider's text
(which can carry part of an API key, an organisation or a request id)."""

from __future__ import annotations

import httpx
import openai
import pytest

from gatepost_generator.provider_errors import plain_reason

SECRET = "sk-proj-abc123SECRET and org-XYZ789, request req_4b1d"
REQUEST = httpx.Request("POST", "https://api.openai.example/v1/images/generations?key=hush")


def failed(kind: type[openai.APIStatusError], status: int, code: str | None) -> BaseException:
    body = {"message": f"Incorrect API key provided: {SECRET}", "code": code}
    return kind(SECRET, response=httpx.Response(status, request=REQUEST), body=body)


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (failed(openai.AuthenticationError, 401, "invalid_api_key"), "refused Gatepost's API key"),
        (failed(openai.PermissionDeniedError, 403, None), "may not use this model"),
        (failed(openai.RateLimitError, 429, "insufficient_quota"), "run out of credit"),
        (failed(openai.RateLimitError, 429, "rate_limit_exceeded"), "rate-limiting"),
        (failed(openai.BadRequestError, 400, "content_policy_violation"), "content policy"),
        (failed(openai.BadRequestError, 400, "invalid_value"), "refused the request"),
        (failed(openai.NotFoundError, 404, "model_not_found"), "model is unknown"),
        (failed(openai.InternalServerError, 500, None), "internal error"),
        (failed(openai.APIStatusError, 418, None), "status 418"),
        (openai.APITimeoutError(REQUEST), "did not answer in time"),
        (openai.APIConnectionError(message=SECRET, request=REQUEST), "could not be reached"),
        (RuntimeError(SECRET), "an unexpected error (RuntimeError"),
    ],
)
def test_each_failure_has_a_plain_reason_without_the_providers_text(
    error: BaseException, reason: str
) -> None:
    said = plain_reason(error)
    assert reason in said
    for secret in ("sk-proj", "SECRET", "org-XYZ", "req_4b1d", "hush", "Incorrect API key"):
        assert secret not in said, said


def test_the_providers_words_go_to_the_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="gatepost_generator.provider_errors")
    plain_reason(failed(openai.AuthenticationError, 401, "invalid_api_key"))
    logged = " ".join(str(getattr(r, "fields", "")) for r in caplog.records)
    assert "invalid_api_key" in logged and "Incorrect API key" in logged
