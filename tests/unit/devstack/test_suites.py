"""`./dev test <suite>`: the suites cover every test once, and the unit suite starts no stack."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.suites import SUITES, refuse_the_stack_in_a_unit_run

ROOT = Path(__file__).parents[3]


def suites_of(path: Path) -> list[str]:
    relative = path.relative_to(ROOT)
    return [
        name
        for name, folders in SUITES.items()
        if any(relative.is_relative_to(folder) for folder in folders)
    ]


def test_every_test_module_is_in_exactly_one_suite() -> None:
    modules = sorted((ROOT / "tests").rglob("test_*.py"))
    assert modules
    misplaced = {str(m.relative_to(ROOT)): suites_of(m) for m in modules if len(suites_of(m)) != 1}
    assert not misplaced, f"in no suite, or in several: {misplaced}"


def test_a_unit_run_refuses_a_test_that_asks_for_the_stack(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GATEPOST_SUITE", "unit")
    with pytest.raises(pytest.fail.Exception, match="starts no Kafka or MongoDB"):
        refuse_the_stack_in_a_unit_run()


@pytest.mark.parametrize("suite", [None, "integration", "e2e", "chaos"])
def test_other_runs_may_start_the_stack(monkeypatch: pytest.MonkeyPatch, suite: str | None) -> None:
    if suite is None:
        monkeypatch.delenv("GATEPOST_SUITE", raising=False)
    else:
        monkeypatch.setenv("GATEPOST_SUITE", suite)
    refuse_the_stack_in_a_unit_run()  # no failure
