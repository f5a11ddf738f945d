"""The tables of docs/architecture.md that the code decides, written from the code.

`uv run python -m gatepost_devstack.contract` rewrites each table between its markers
(`<!-- generated: NAME -->` … `<!-- end generated -->`) from gatepost_common's topics, access
table and events; `--check` only says whether the file is current (a unit test does the same)."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable

from gatepost_common.access import INTERNAL_ROUTES, KAFKA_PRINCIPALS, TOPICS
from gatepost_common.events import EVENT_TYPES
from gatepost_common.topics import ALL_TOPICS
from gatepost_devstack.paths import REPO_ROOT

CONTRACT = REPO_ROOT / "docs" / "architecture.md"
MARKED = re.compile(r"(<!-- generated: ([a-z-]+) -->\n)(.*?)(<!-- end generated -->)", re.DOTALL)


def names(items: Iterable[str]) -> str:
    listed = sorted(items)
    return ", ".join(listed) if listed else "—"


def topics_table() -> str:
    """Each topic: who may write and read it (the Kafka ACLs), its event's schema and fields."""
    events = {model.TYPE: model for model in EVENT_TYPES}
    rows = ["| topic | written by | read by | event | `data` fields |", "|---|---|---|---|---|"]
    for topic in ALL_TOPICS:
        model, access = events[topic], TOPICS[topic]
        schema = model.SCHEMA.removeprefix("gatepost/").replace("/", ".")
        fields = ", ".join(f"`{name}`" for name in model.model_fields)
        rows.append(
            f"| `{topic}` | {names(access.writers)} | {names(access.readers)} "
            f"| [`{model.SCHEMA}`](schemas/{schema}.json) | {fields} |"
        )
    return "\n".join(rows) + "\n"


def services_topics_table() -> str:
    """Each Kafka principal: the topics it consumes and emits (the same ACLs, by principal)."""
    rows = ["| principal | consumes | emits |", "|---|---|---|"]
    for principal in KAFKA_PRINCIPALS:
        reads = [f"`{t}`" for t, access in TOPICS.items() if principal in access.readers]
        writes = [f"`{t}`" for t, access in TOPICS.items() if principal in access.writers]
        rows.append(f"| {principal} | {names(reads)} | {names(writes)} |")
    return "\n".join(rows) + "\n"


def internal_routes_table() -> str:
    """Each internal route and the services that may call it."""
    rows = ["| service | internal route | may be called by |", "|---|---|---|"]
    for service, routes in INTERNAL_ROUTES.items():
        rows += [f"| {service} | `{route}` | {names(who)} |" for route, who in routes.items()]
    return "\n".join(rows) + "\n"


TABLES: dict[str, Callable[[], str]] = {
    "topics": topics_table,
    "principals": services_topics_table,
    "internal-routes": internal_routes_table,
}


def rewritten(text: str) -> str:
    """`text` with every marked table written afresh; ValueError for a marker of no table."""

    def table(found: re.Match[str]) -> str:
        name = found.group(2)
        if name not in TABLES:
            raise ValueError(f"no generated table is called {name!r} (known: {', '.join(TABLES)})")
        return found.group(1) + TABLES[name]() + found.group(4)

    return MARKED.sub(table, text)


def marked(text: str) -> set[str]:
    """The names of the generated tables `text` holds."""
    return {found.group(2) for found in MARKED.finditer(text)}


def main(arguments: list[str]) -> int:
    text = CONTRACT.read_text()
    fresh = rewritten(text)
    if "--check" in arguments:
        if fresh != text:
            print(f"{CONTRACT} is stale: run `uv run python -m gatepost_devstack.contract`")
            return 1
        return 0
    CONTRACT.write_text(fresh)
    print(f"{CONTRACT}: {', '.join(sorted(marked(fresh)))} written from the code")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
