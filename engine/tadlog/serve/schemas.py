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
    return Draft202012Validator({"$ref": f"{root['$id']}#{pointer}"} if pointer else root, registry=registry())


def first_violation(instance, name: str, pointer: str = ""):
    """The first violation (by place in the document) as (JSON pointer, message), or None."""
    errors = sorted(validator(name, pointer).iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path])
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
