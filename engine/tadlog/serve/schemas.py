"""The published JSON Schemas, loaded once, and request bodies checked against them.

The service validates what it receives with the same schema documents it publishes
(docs/schemas/service.json), so the documentation and the behaviour cannot drift apart.
"""
from __future__ import annotations

import json
from functools import lru_cache

from ..resources import schema_path

NAMES = ("answer", "check", "review", "service", "cds_hooks", "locate")


@lru_cache(maxsize=None)
def schema(name: str) -> dict:
    return json.loads(schema_path(name).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def registry():
    from referencing import Registry, Resource

    return Registry().with_resources((schema(n)["$id"], Resource.from_contents(schema(n))) for n in NAMES)


@lru_cache(maxsize=None)
def validator(name: str, pointer: str = ""):
    """A 2020-12 validator for a whole schema, or for one of its parts (``/$defs/ask_request``)."""
    from jsonschema import Draft202012Validator

    root = schema(name)
    whole = Draft202012Validator(root, registry=registry())
    if not pointer:
        return whole
    # the part itself, evolved from the whole (so its own $refs resolve against the document), rather
    # than a {"$ref": ...} wrapper: that wrapper is looked up in the registry on every request
    part = root
    for step in pointer.strip("/").split("/"):
        part = part[step.replace("~1", "/").replace("~0", "~")]
    return whole.evolve(schema=part)


def first_violation(instance, name: str, pointer: str = ""):
    """The first violation (by place in the document) as (JSON pointer, message), or None."""
    quick = quick_check(name, pointer)
    if quick is not None and quick(instance):  # certainly valid: no validator walked
        return None
    checker = validator(name, pointer)
    if checker.is_valid(instance):  # the usual case: no error objects built, nothing sorted
        return None
    errors = sorted(checker.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path])
    if not errors:
        return None
    error = errors[0]
    where = "/" + "/".join(str(p) for p in error.absolute_path)
    return where, _plain(error)


def _plain(error) -> str:
    """jsonschema's messages, said for someone writing a request body."""
    where = "/".join(str(p) for p in error.absolute_path) or "the body"
    if error.validator == "additionalProperties":
        return f"{where}: {error.message.split('(')[-1].rstrip(')')}"
    if error.validator == "required":
        return f"{where}: {error.message}"
    return f"{where}: {error.message[:200]}"


# ---- a quick check, compiled from the schema, for the bodies every request sends -------------------
# Each request body is validated as it arrives; the jsonschema validator walks many functions to do it,
# and on a request path (where the question's own work has just filled the caches) that walk costs
# ~0.1 ms for a two-key body. The quick check is compiled from the same schema part, for the few
# keywords a flat request uses (an object of strings and booleans, required keys, no others). It says
# True only for an instance the schema certainly accepts; for anything else (a key whose schema it
# does not read, such as a $ref'd patient, or a value that may break it) it says False and the
# validator decides, and words the error. tests/test_schemas.py checks it never accepts what the
# validator refuses.
_IGNORED = {"description", "title", "$comment", "examples", "default"}


@lru_cache(maxsize=None)
def quick_check(name: str, pointer: str = ""):
    """A predicate certainly-valid(instance) for a flat object schema part, or None (always validate)."""
    part = schema(name)
    for step in pointer.strip("/").split("/") if pointer else ():
        part = part[step.replace("~1", "/").replace("~0", "~")]
    if set(part) - _IGNORED - {"type", "properties", "required", "additionalProperties"}:
        return None
    if part.get("type") != "object" or part.get("additionalProperties") is not False:
        return None
    checks = {key: _quick_value(sub) for key, sub in part.get("properties", {}).items()}
    required = tuple(part.get("required", ()))

    def check(instance) -> bool:
        if type(instance) is not dict:
            return False
        for key in required:
            if key not in instance:
                return False
        for key, value in instance.items():
            value_check = checks.get(key)
            if value_check is None or not value_check(value):
                return False
        return True

    return check


def _quick_value(sub: dict):
    """A predicate for a string (with lengths) or boolean property, or None (the validator decides)."""
    keys = set(sub) - _IGNORED
    if sub.get("type") == "boolean" and keys == {"type"}:
        return lambda value: type(value) is bool
    if sub.get("type") == "string" and keys <= {"type", "minLength", "maxLength"}:
        low, high = sub.get("minLength", 0), sub.get("maxLength")
        return lambda value: type(value) is str and low <= len(value) and (high is None or len(value) <= high)
    return None
