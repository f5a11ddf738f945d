"""What a person is told when the model provider fails: a plain reason chosen by the kind of
failure, never the provider's own text (which can carry part of an API key, an organisation id,
a request id or a URL). The provider's words go to the log, for an operator."""

from __future__ import annotations

import logging

from openai import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
)

logger = logging.getLogger(__name__)

SEE_LOGS = "an operator can find the provider's answer in the generator's log"


def plain_reason(error: BaseException) -> str:
    """Why the call failed, in words a person can act on (or hand to an operator)."""
    said = {"error": repr(error)[:2000], "body": str(getattr(error, "body", ""))[:2000]}
    logger.info("model provider failure", extra={"fields": said})
    match error:
        case AuthenticationError():
            return f"the model provider refused Gatepost's API key ({SEE_LOGS})"
        case PermissionDeniedError():
            return f"Gatepost's provider account may not use this model ({SEE_LOGS})"
        case RateLimitError() if error.code == "insufficient_quota":
            return "the model provider's account has run out of credit"
        case RateLimitError():
            return "the model provider is rate-limiting Gatepost: try again later"
        case BadRequestError() if error.code == "content_policy_violation":
            return "the model provider refused this under its content policy"
        case BadRequestError():
            return f"the model provider refused the request ({SEE_LOGS})"
        case NotFoundError():
            return f"the configured model is unknown to the provider ({SEE_LOGS})"
        case APITimeoutError():
            return "the model provider did not answer in time"
        case APIConnectionError():
            return "the model provider could not be reached"
        case InternalServerError():
            return "the model provider had an internal error: try again later"
        case APIStatusError():
            return f"the model provider answered with status {error.status_code} ({SEE_LOGS})"
    return f"an unexpected error ({type(error).__name__}; {SEE_LOGS})"
