"""The OpenAPI 3.1 document of the service, built from the published JSON Schemas.

OpenAPI 3.1 takes JSON Schema 2020-12 as it is, so the schemas are embedded whole (each keeps
its ``$id``) and the paths refer to them: one description of every body, used by the service
to check requests (schemas.py) and by integrators to generate clients.
"""
from __future__ import annotations

from functools import lru_cache

from .schemas import schema


def _json(ref: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": ref}}}}


ERR = "#/components/schemas/Error"
ERRORS = {"400": _json(ERR, "not JSON"), "404": _json(ERR, "no such resource"),
          "413": _json(ERR, "body too large"), "415": _json(ERR, "not application/json"),
          "422": _json(ERR, "not understood: the TadlogError's code, message and position"),
          "503": _json(ERR, "over the time limit")}


def _errors(*codes: str) -> dict:
    return {c: ERRORS[c] for c in codes}


@lru_cache(maxsize=1)
def document() -> dict:
    from ..version import __version__

    service = schema("service")
    defs = "urn:tadlog:schema:service#/$defs/"
    components = {"Answer": schema("answer"), "Service": service, "CdsHooks": schema("cds_hooks"),
                  "Check": schema("check"), "Error": {"$ref": defs + "error"}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "tadlog", "version": __version__,
                 "description": "The cited clinical evidence on orthodontic mini-implants: answers with their "
                                "proofs and verbatim quotes, and CDS Hooks 2.0 services."},
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "paths": {
            "/v1/ask": {"post": {"summary": "Answer a question", "requestBody": {"required": True, "content": {
                "application/json": {"schema": {"$ref": defs + "ask_request"}}}},
                "responses": {"200": _json("urn:tadlog:schema:answer", "the answer (tadlog.answer)"),
                              **_errors("400", "413", "415", "422", "503")}}},
            "/v1/terms": {"get": {"summary": "Names and aliases, for completion",
                                  "responses": {"200": _json(defs + "terms", "every term")}}},
            "/v1/statements/{id}": {"get": {
                "summary": "A statement, its quote and its source passage",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": _json(defs + "statement", "the statement"), **_errors("404")}}},
            "/v1/graph": {"get": {
                "summary": "The answer's provenance graph (node-link JSON)",
                "parameters": [{"name": "question", "in": "query", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": _json(defs + "graph", "node-link JSON"), **_errors("422", "503")}}},
            "/healthz": {"get": {"summary": "Liveness", "responses": {"200": _json(defs + "health", "up")}}},
            "/cds-services": {"get": {"summary": "CDS Hooks discovery", "responses": {
                "200": _json("urn:tadlog:schema:cds_hooks#/$defs/discovery", "the services")}}},
            "/cds-services/{id}": {"post": {
                "summary": "Call a CDS Hooks service",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "urn:tadlog:schema:cds_hooks#/$defs/request"}}}},
                "responses": {"200": _json("urn:tadlog:schema:cds_hooks#/$defs/response", "cards"),
                              **_errors("400", "404", "413", "415", "422", "503")}}},
            "/": {"get": {"summary": "The explanation page (HTML)", "responses": {"200": {"description": "HTML"}}}},
        },
        "components": {"schemas": components},
    }
