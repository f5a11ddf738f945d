"""What worked, fed back, for the generator: an account's best-performing titles, shown to the
text model as style examples when the person switched it on for that account (auth keeps the
switch, the publisher the numbers). Without them a post is written as before: a service that
does not answer costs the examples, never the post."""

from __future__ import annotations

import logging
from urllib.parse import quote

import httpx

from gatepost_common.events import StyleExample
from gatepost_common.slides import TRANSIENT, patiently

logger = logging.getLogger(__name__)
EXAMPLES = 3  # the top titles by views, in the post's language


def prompt_lines(examples: list[StyleExample]) -> str:
    """The lines the text model reads after the topic (nothing without examples)."""
    if not examples:
        return ""
    titles = "\n".join(f"- {e.title}" for e in examples)
    return (
        "\nTitles of this account's posts that did best (follow their style and hook, do not "
        f"copy them):\n{titles}"
    )


class StyleExampleSource:
    """auth's answer about the account (its opt-in) and the publisher's best titles."""

    def __init__(self, auth: httpx.AsyncClient, publisher: httpx.AsyncClient) -> None:
        self.auth = auth
        self.publisher = publisher

    async def for_account(self, user_id: str, account_id: str, language: str) -> list[StyleExample]:
        base = f"/internal/users/{quote(user_id, safe='')}/accounts/{quote(account_id, safe='')}"
        try:
            account = await patiently(lambda: self.auth.get(base))
            if account.status_code != 200 or not account.json().get("learn_from_posts"):
                return []
            answer = await patiently(
                lambda: self.publisher.get(
                    f"{base}/style-examples", params={"language": language, "limit": EXAMPLES}
                )
            )
            answer.raise_for_status()
            return [StyleExample.model_validate(e) for e in answer.json()["examples"]]
        except (httpx.HTTPStatusError, ValueError, KeyError, TypeError, *TRANSIENT) as error:
            # ValueError: not JSON, or pydantic's ValidationError (a ValueError): a malformed
            # answer costs the examples, never the post
            logger.warning("no style examples for account %s: %s", account_id, error)
            return []
