"""Validation against the published JSON Schemas (docs/schemas/, shipped as tadlog/schemas).

Every schema is draft 2020-12; they refer to each other by ``$id`` (``urn:tadlog:schema:NAME``).
``validate`` also checks that objects list their keys in the schema's order, since the JSON
documents promise a fixed key order that JSON Schema itself cannot express.
"""
from __future__ import annotations

from tadlog.serve.schemas import NAMES, registry as _registry, schema, validator  # noqa: F401


def validate(instance, name: str, pointer: str = "") -> None:
    """Raise AssertionError naming every violation (path and message), and any key out of order."""
    v = validator(name, pointer)
    errors = sorted(v.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path])
    problems = [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message[:300]}" for e in errors]
    if not problems and name != "cds_hooks":  # CDS Hooks JSON has no key order; tadlog's own does
        problems = _order_problems(instance, v.schema, schema(name)["$id"], "")
    hint = f"\n(update docs/schemas/{name}.json if the change is meant)"
    assert not problems, "\n".join(problems[:12]) + hint


def _deref(sub, base: str):
    """Follow ``$ref`` (local refs against ``base``, the current document's $id)."""
    while isinstance(sub, dict) and "$ref" in sub:
        ref = sub["$ref"]
        full = base + ref if ref.startswith("#") else ref
        base = full.split("#")[0]
        sub = _registry().resolver().lookup(full).contents
    return sub, base


def _order_problems(instance, sub, base: str, path: str) -> list[str]:
    sub, base = _deref(sub, base)
    if not isinstance(sub, dict):
        return []
    if isinstance(instance, list):
        items = sub.get("items")
        return [p for i, x in enumerate(instance) for p in (_order_problems(x, items, base, f"{path}/{i}") if items else [])]
    if not isinstance(instance, dict):
        return []
    for option in sub.get("oneOf", ()):
        option, option_base = _deref(option, base)
        if option.get("type") == "object":
            sub, base = option, option_base
    props = sub.get("properties")
    out = []
    if props:
        expected = [k for k in props if k in instance]
        if list(instance) != expected:
            out.append(f"{path or '(top)'}: keys {list(instance)} are not in the schema's order {expected}")
        for key, value in instance.items():
            if key in props:
                out += _order_problems(value, props[key], base, f"{path}/{key}")
    elif isinstance(sub.get("additionalProperties"), dict):
        for key, value in instance.items():
            out += _order_problems(value, sub["additionalProperties"], base, f"{path}/{key}")
    return out
