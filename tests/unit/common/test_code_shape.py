"""The shape issue 17 asks of the services' code, checked over their sources: routes are declared
at module level (what they work with comes from the composition root through
`gatepost_common.provided`, so a test serves them over fakes), not built inside factory closures;
and the rules of each service (its `domain` and `lifecycle` modules) import no framework, no I/O
library and no adapter, so they read and test without either (issue 33: this replaces the cap on
a module's lines, which shaped modules to the cap rather than by concern)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[3]
SOURCES = sorted(
    [*ROOT.glob("services/*/src/**/*.py"), *(ROOT / "libs/common/src").glob("**/*.py")]
)
# the rules of a service: pure, tested in milliseconds without a broker, a database or a server
RULES = sorted(p for p in ROOT.glob("services/*/src/*/*.py") if p.stem in ("domain", "lifecycle"))
# what the rules may not import: frameworks, I/O libraries, and the service's own outer layers
FORBIDDEN = (
    "fastapi",
    "starlette",
    "faststream",
    "aiokafka",
    "pymongo",
    "httpx",
    "openai",
    "PIL",
    "opentelemetry",
    "smtplib",
    "aiosmtplib",
    "subprocess",
    "socket",
)
OUTER = ("adapters", "bootstrap", "entrypoints", "routes", "store", "client", "repository")


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


def imported(tree: ast.Module) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def impurities(tree: ast.Module) -> list[str]:
    """What a rules module imports that it should not: a framework, an I/O library, an adapter."""
    bad = []
    for name in imported(tree):
        parts = name.split(".")
        if parts[0] in FORBIDDEN or any(o in part for part in parts[1:] for o in OUTER):
            bad.append(name)
    return bad


def test_the_rules_of_every_service_are_found() -> None:
    services = {p.parents[2].name for p in RULES}
    assert services == {"auth", "generator", "media", "approval", "publisher"}


def test_the_rules_import_no_framework_io_or_adapter() -> None:
    found = {str(p.relative_to(ROOT)): impurities(ast.parse(p.read_text())) for p in RULES}
    assert not {path: names for path, names in found.items() if names}


def test_the_check_finds_an_impure_rule() -> None:
    tree = ast.parse(
        "import httpx\nfrom pymongo import ReturnDocument\n"
        "from gatepost_publisher.jobs_store import x\nfrom gatepost_publisher.lifecycle import y\n"
    )
    assert impurities(tree) == ["httpx", "pymongo", "gatepost_publisher.jobs_store"]
