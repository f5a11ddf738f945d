"""Lifecycles live in each service's `domain`: no status literal anywhere else. A status written
as a bare string in an adapter or a route (a Mongo filter `{"status": "approved"}`, a check
`post["status"] != "failed"`) is a rule outside the one place that can be read and tested."""

from __future__ import annotations

import ast
from pathlib import Path

SERVICES = Path(__file__).parents[3] / "services"


def status_literals(tree: ast.AST) -> list[tuple[int, str]]:
    """String constants used as a status: the value of a "status" key (or inside it, e.g.
    `{"$ne": ...}`), or compared with `x["status"]` / `x.get("status")`."""
    found: list[tuple[int, str]] = []

    def strings(node: ast.AST) -> list[ast.Constant]:
        """Its string constants, but MongoDB's operators and the word "status" itself."""
        return [
            n
            for n in ast.walk(node)
            if isinstance(n, ast.Constant)
            and isinstance(n.value, str)
            and not n.value.startswith("$")
            and n.value != "status"
        ]

    def is_status(node: ast.AST) -> bool:
        if isinstance(node, ast.Subscript):
            return isinstance(node.slice, ast.Constant) and node.slice.value == "status"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            args = node.args
            return (
                node.func.attr == "get"
                and bool(args)
                and isinstance(args[0], ast.Constant)
                and args[0].value == "status"
            )
        return False

    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "status":
                    found += [(c.lineno, c.value) for c in strings(value)]
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(is_status(side) for side in sides):
                for side in sides:
                    if not is_status(side):
                        found += [(c.lineno, c.value) for c in strings(side)]
    return found


def enum_values(tree: ast.AST) -> set[str]:
    """The string values of the StrEnums a module defines (a service's statuses)."""
    values: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(
            isinstance(b, ast.Name) and b.id == "StrEnum" for b in node.bases
        ):
            for item in node.body:
                if isinstance(item, ast.Assign) and isinstance(item.value, ast.Constant):
                    values.add(str(item.value.value))
    return values


def status_collections(tree: ast.AST, statuses: set[str]) -> list[tuple[int, str]]:
    """Tuples, lists and sets of two or more of the service's status values, spelled as strings
    (`("generated", "failed")`): a set of states is a rule of the lifecycle too."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            named = [
                e.value
                for e in node.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str) and e.value in statuses
            ]
            if len(named) >= 2:
                found.append((node.lineno, ", ".join(named)))
    return found


def test_no_status_literal_outside_domain() -> None:
    offences = []
    for service in sorted(SERVICES.glob("*/src/*")):
        rules = [service / "domain.py", service / "lifecycle.py"]
        statuses = set().union(
            *(enum_values(ast.parse(r.read_text())) for r in rules if r.exists())
        )
        for path in sorted(service.glob("*.py")):
            if path in rules:
                continue
            tree = ast.parse(path.read_text())
            for line, value in status_literals(tree) + status_collections(tree, statuses):
                offences.append(f"{path.relative_to(SERVICES)}:{line}: {value!r}")
    assert not offences, "status literals outside domain:\n" + "\n".join(offences)


def test_the_check_finds_what_it_looks_for() -> None:
    source = (
        'q = {"_id": 1, "status": "approved"}\n'
        'r = {"status": {"$ne": "gone"}}\n'
        'ok = post["status"] != "failed"\n'
        'also = account.get("status") == "disconnected"\n'
        'fine = {"status": Status.DONE.value, "kind": "connected"}\n'
    )
    assert [v for _, v in status_literals(ast.parse(source))] == [
        "approved",
        "gone",
        "failed",
        "disconnected",
    ]
    statuses = enum_values(ast.parse('class S(StrEnum):\n    A = "generated"\n    B = "failed"\n'))
    collections = 'ended = ("generated", "failed")\nother = ("generated", "origin")\n'
    assert status_collections(ast.parse(collections), statuses) == [(1, "generated, failed")]
