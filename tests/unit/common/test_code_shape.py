"""The shape issue 17 asks of the services' code, checked over their sources: routes are declared
at module level (what they work with comes from the composition root through
`gatepost_common.provided`, so a test serves them over fakes), not built inside factory closures;
and no module grows far past ~200 lines."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[3]
SOURCES = sorted(
    [*ROOT.glob("services/*/src/**/*.py"), *(ROOT / "libs/common/src").glob("**/*.py")]
)
MAX_LINES = 215  # "roughly 200": a module past this is split by concern


def routes_inside_functions(tree: ast.Module) -> list[str]:
    """Routes declared in a function's body (`@router.get` / `@app.post` there), and functions
    that make a router."""
    found: list[str] = []
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    for function in functions:
        returns = function.returns
        if isinstance(returns, ast.Name | ast.Constant) and "APIRouter" in ast.unparse(returns):
            found.append(f"{function.name} makes a router (line {function.lineno})")
        for inner in ast.walk(function):
            if inner is function or not isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for decorator in inner.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
                    owner = target.value.id
                    if owner == "app" or owner.endswith("router"):
                        found.append(f"{inner.name} declared inside {function.name}")
    return found


def test_the_sources_are_found() -> None:
    assert len(SOURCES) > 80
    assert any(p.name == "entrypoints.py" for p in SOURCES)


def test_routes_are_declared_at_module_level() -> None:
    # exempt: each app's AsyncAPI route, made by create_service_app with the broker it documents
    exempt = "asyncapi_document declared inside create_service_app"
    nested = {
        str(path.relative_to(ROOT)): found
        for path in SOURCES
        if (
            found := [
                f for f in routes_inside_functions(ast.parse(path.read_text())) if f != exempt
            ]
        )
    }
    assert not nested, nested


def test_the_check_finds_a_route_factory() -> None:
    factory = ast.parse(
        "def routes(x) -> APIRouter:\n"
        "    router = APIRouter()\n"
        "    @router.get('/a')\n"
        "    async def a() -> None: ...\n"
        "    return router\n"
    )
    assert routes_inside_functions(factory) == [
        "routes makes a router (line 1)",
        "a declared inside routes",
    ]


def test_no_module_is_far_over_two_hundred_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in SOURCES
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert not long, long
