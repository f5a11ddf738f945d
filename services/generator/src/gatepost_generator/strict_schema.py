"""A pydantic model's JSON Schema in the subset OpenAI's structured outputs take with
`strict: true`: every object closed (`additionalProperties: false`) with every property required,
and without the keywords strict mode has refused (string length bounds among them). The answer is
still validated against the full pydantic model, so no rule is lost by leaving them out."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

NOT_IN_STRICT_MODE = frozenset({"minLength", "maxLength", "minProperties", "maxProperties"})


def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    closed: dict[str, Any] = _strict(model.model_json_schema())
    return closed


def _strict(node: Any) -> Any:
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _strict(value) for key, value in node.items() if key not in NOT_IN_STRICT_MODE}
    if "properties" in out:
        out["properties"] = {k: _strict(v) for k, v in node["properties"].items()}
        out["required"] = list(out["properties"])
        out["additionalProperties"] = False
    if "$defs" in out:
        out["$defs"] = {k: _strict(v) for k, v in node["$defs"].items()}
    return out
