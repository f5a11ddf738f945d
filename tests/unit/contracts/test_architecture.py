"""docs/architecture.md is the contract: its generated tables (topics, principals, internal
routes) are what gatepost_common says, its hand-written key table names every topic, and no
amendments file stands beside it."""

from __future__ import annotations

import pytest

from gatepost_common.topics import ALL_TOPICS
from gatepost_devstack.contract import CONTRACT, TABLES, marked, rewritten


def rows(text: str) -> dict[str, list[str]]:
    """Table rows whose first cell is a `topic`, by topic: their cells (last table wins)."""
    found = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `") and cells[0].strip("`") in ALL_TOPICS:
            found[cells[0].strip("`")] = cells
    return found


def test_the_generated_tables_are_the_code() -> None:
    text = CONTRACT.read_text()
    assert marked(text) == set(TABLES)
    assert rewritten(text) == text, "run `uv run python -m gatepost_devstack.contract`"


def test_a_stale_table_is_written_afresh_and_the_prose_kept() -> None:
    stale = (
        "Prose.\n<!-- generated: topics -->\n| `topic.created` | nobody | nobody |\n"
        "<!-- end generated -->\nMore prose.\n"
    )
    fresh = rewritten(stale)
    assert fresh.startswith("Prose.\n<!-- generated: topics -->\n")
    assert fresh.endswith("<!-- end generated -->\nMore prose.\n")
    assert rows(fresh)["topic.created"][1:3] == ["generator, ingest", "generator"]
    assert set(rows(fresh)) == set(ALL_TOPICS)


def test_a_marker_of_no_table_is_refused() -> None:
    with pytest.raises(ValueError, match="no generated table"):
        rewritten("<!-- generated: queues -->\n<!-- end generated -->\n")


def test_every_topic_has_its_key() -> None:
    text = CONTRACT.read_text()
    keys = text[text.index("| topic | key | why |") :].split("\n\n")[0]
    assert set(rows(keys)) == set(ALL_TOPICS)


def test_the_amendments_are_folded_into_the_contract() -> None:
    assert not (CONTRACT.parent / "architecture-amendments.md").exists(), (
        "fold docs/architecture-amendments.md into docs/architecture.md, then delete it"
    )
