"""The topic tables people read say what the code does: the README's and the architecture
amendments' rows name every topic, and the README's consumers are the principals the Kafka ACLs
let read it (gatepost_common.access)."""

from __future__ import annotations

from pathlib import Path

from gatepost_common.access import TOPICS
from gatepost_common.topics import ALL_TOPICS

ROOT = Path(__file__).parents[3]


def rows(text: str) -> dict[str, list[str]]:
    """Table rows whose first cell is a `topic`, by topic: their cells."""
    found = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `") and cells[0].strip("`") in ALL_TOPICS:
            found[cells[0].strip("`")] = cells
    return found


def test_the_readme_lists_every_topic_with_its_readers() -> None:
    table = rows((ROOT / "README.md").read_text())
    assert set(table) == set(ALL_TOPICS)
    for topic, cells in table.items():
        consumers = {c.strip() for c in cells[3].split(",")}
        assert consumers == set(TOPICS[topic].readers), topic


def test_the_architecture_amendments_name_the_topics_the_contract_lacks() -> None:
    amended = rows((ROOT / "docs" / "architecture-amendments.md").read_text())
    assert {"post.progressed", "tiktok.webhook"} <= set(amended)
    for topic, cells in amended.items():
        consumers = {c.split()[0] for c in cells[3].split(", ")}  # "auth (why)" → auth
        assert consumers == set(TOPICS[topic].readers), topic
