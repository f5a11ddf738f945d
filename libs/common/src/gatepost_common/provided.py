"""Routes are declared at module level; what they work with comes from the composition root.
`provide(app, {Kind: thing})` puts what was built on the app; `given(Kind)` is the FastAPI
dependency that hands a route the thing registered for `Kind`: the real adapter, or a test's fake.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from fastapi import Depends, FastAPI, Request

T = TypeVar("T")


def provide(app: FastAPI, things: Mapping[type[Any], object]) -> FastAPI:
    """Register `things` on `app` (added to what it was given before)."""
    registry: dict[type[Any], object] = getattr(app.state, "provided", {})
    app.state.provided = registry | dict(things)
    return app


def given(kind: type[T]) -> Any:
    """The dependency giving a route the `kind` its app was provided with."""
    # one dependency per kind: FastAPI then resolves it once per request
    if kind not in _lookups:
        _lookups[kind] = _lookup(kind)
    return Depends(_lookups[kind])


_lookups: dict[type[Any], Callable[[Request], Any]] = {}


def _lookup(kind: type[T]) -> Callable[[Request], T]:
    def dependency(request: Request) -> T:
        registry: dict[type[Any], object] = getattr(request.app.state, "provided", {})
        if kind not in registry:
            raise LookupError(f"the app was provided with no {kind.__name__}")
        return cast(T, registry[kind])

    dependency.__name__ = f"given_{kind.__name__}"
    return dependency
