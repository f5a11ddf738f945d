"""The Prometheus alert rules parse, are complete (an expression, a severity, a summary), and
name only metrics Gatepost exports (by the collector's naming: dots to underscores, counters
with `_total`), so a renamed metric cannot silently disarm an alert."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from gatepost_common import metrics

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "prometheus"


def exported_names() -> set[str]:
    """Every instrument metrics.py makes, as Prometheus names it (whatever the suffix)."""
    source = Path(metrics.__file__).read_text()
    names = set()
    for name in re.findall(r'create_(?:counter|histogram|gauge)\(\s*"([^"]+)"', source):
        base = name.replace(".", "_")
        names |= {base, f"{base}_total", f"{base}_bucket", f"{base}_count", f"{base}_sum"}
    return names


def rules() -> list[dict[str, Any]]:
    loaded: dict[str, Any] = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())
    return [rule for group in loaded["groups"] for rule in group["rules"]]


def test_the_alert_rules_parse_and_each_is_complete() -> None:
    found = rules()
    assert {r["alert"] for r in found} >= {"GatepostDeadLetters", "GatepostApprovedPostsStuck"}
    for rule in found:
        assert rule["expr"].strip() and rule["labels"]["severity"]
        assert rule["annotations"]["summary"]


def test_the_alert_rules_name_only_metrics_gatepost_exports() -> None:
    known = exported_names()
    assert "gatepost_dead_letters_total" in known
    for rule in rules():
        for name in re.findall(r"\bgatepost_[a-z_]+", rule["expr"]):
            assert name in known, f"{rule['alert']} names {name}, which nothing exports"


def test_prometheus_loads_the_rule_file() -> None:
    config: dict[str, Any] = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    for name in config["rule_files"]:
        assert (PROMETHEUS / name).is_file()
