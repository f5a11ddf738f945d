"""How the publisher reads TikTok's answers, without I/O."""

from __future__ import annotations

import pytest

from gatepost_publisher.domain import Handling, handling, readable


@pytest.mark.parametrize("code", ["invalid_params", "invalid_param"])
def test_both_spellings_of_invalid_params_read_as_refused_parameters(code: str) -> None:
    """Real answers say invalid_params; TikTok's reference tables say invalid_param."""
    message = "The request post info is empty or incorrect"
    assert handling(code, 400) is Handling.FAIL
    assert readable(code, message) == f"TikTok refused the post's parameters: {message}"
