"""The API's /v1/ routes as the MCP server calls them: with the agent's own token, so each tool
can do exactly what the token could do over REST (its scopes, its rate limit, its audit entry)
and nothing more. The queue's routes are this service's own (called in process); topics are the
generator's, budgets and numbers the publisher's."""

from __future__ import annotations

import re
from typing import Any

import httpx

# the paths the tools call: ids are identifiers, positions numbers (GET query in `params`)
PATH = re.compile(r"(/[A-Za-z0-9_-]+)+")


class ApiRefused(Exception):
    """A /v1/ route's refusal, for the agent: its status and reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"{status}: {reason}")
        self.status, self.reason = status, reason


class AgentApi:
    def __init__(
        self,
        generator: httpx.AsyncClient,
        approval: httpx.AsyncClient,
        publisher: httpx.AsyncClient,
        token: str,
    ) -> None:
        self.clients = {"generator": generator, "approval": approval, "publisher": publisher}
        self.headers = {"Authorization": f"Bearer {token}"}

    async def call(self, service: str, method: str, path: str, **kwargs: Any) -> Any:
        """One /v1/ call; a refusal, an id that is not one, or a service that does not answer
        is an ApiRefused with a plain reason (never another service's error text)."""
        if not PATH.fullmatch(path):  # an id with `..`, `%` or `?` would leave the tool's route
            raise ApiRefused(422, "an id holds only letters, digits, '-' and '_'")
        try:
            answer = await self.clients[service].request(
                method, f"/v1{path}", headers=self.headers, **kwargs
            )
            if answer.status_code >= 400:
                try:
                    detail = answer.json().get("detail", answer.reason_phrase)
                except ValueError:
                    detail = answer.reason_phrase
                reason = detail if isinstance(detail, str) else str(detail)
                raise ApiRefused(answer.status_code, reason)
            return answer.json() if answer.content else None
        except (httpx.HTTPError, ValueError):
            raise ApiRefused(
                503, f"Gatepost's {service} did not answer: try again shortly"
            ) from None

    async def revision(self, post_id: str, given: int | None) -> int:
        """The revision an edit is made on: the one the agent read, else the current one."""
        if given is not None:
            return given
        post = await self.call("approval", "GET", f"/posts/{post_id}")
        return int(post.get("revision") or 0)
