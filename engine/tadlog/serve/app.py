"""The HTTP service: the explanation page, the JSON API and the CDS Hooks services (Starlette).

Thin on purpose: each route checks its input, makes one library call on a library thread
(library.py) and renders the result with the renderers the command line uses. Every error is
a structured JSON body (docs/schemas/service.json, ``error``) with the TadlogError's code,
message and position; bad input is a 4xx, never a traceback.
"""
from __future__ import annotations

import json
from typing import Optional

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from ..errors import TadlogError
from .library import Library, ServiceError
from .responses import JSONResponse, encode_json, error_response, http_error, internal_error, read_json
from .patient import PatientInput, factor_names
from .settings import Settings

PAGE_CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
            "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def create_app(settings: Optional[Settings] = None, *, kb=None) -> Starlette:
    """The ASGI app. The knowledge base is loaded once here and shared read-only."""
    import tadlog
    from ..resources import sources_dir
    from . import cds_hooks

    settings = settings or Settings()
    library = Library(kb if kb is not None else tadlog.load(settings.kb), sources=sources_dir(settings.sources),
                      threads=settings.threads, time_limit=settings.time_limit)
    api = _Api(library, settings)
    routes = [
        Route("/", api.page, methods=["GET"]),
        Route("/healthz", api.health, methods=["GET"]),
        Route("/openapi.json", api.openapi, methods=["GET"]),
        Route("/v1/ask", _Ask(api), methods=["POST"]),
        Route("/v1/terms", api.terms, methods=["GET"]),
        Route("/v1/statements/{id}", api.statement, methods=["GET"]),
        Route("/v1/graph", api.graph, methods=["GET"]),
        Route("/cds-services", cds_hooks.discovery, methods=["GET"]),
        Route("/cds-services/{id}", cds_hooks.Service(library, settings.max_body).call, methods=["POST"]),
    ]
    middleware = []
    if settings.cors_origins:
        from starlette.middleware import Middleware
        from starlette.middleware.cors import CORSMiddleware

        middleware.append(Middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                                     allow_methods=["GET", "POST"], allow_headers=["Content-Type"]))
    app = Starlette(routes=routes, middleware=middleware, lifespan=_lifespan(library),
                    exception_handlers={TadlogError: error_response, HTTPException: http_error,
                                        Exception: internal_error})
    app.state.library = library
    return app


def _lifespan(library: Library):
    """Evaluate the knowledge base and warm the library threads before the first request."""
    import asyncio
    import contextlib

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await asyncio.get_running_loop().run_in_executor(None, library.warm_up)
        try:
            yield
        finally:
            library.close()

    return lifespan


def app_from_env() -> Starlette:
    """The factory uvicorn calls in each worker process (``--workers N``)."""
    return create_app(Settings.from_env())


# ---- the routes --------------------------------------------------------------------------------
class _Api:
    def __init__(self, library: Library, settings: Settings):
        self.library = library
        self.settings = settings
        self._identity: Optional[dict] = None

    async def ask(self, request: Request) -> bytes:
        """POST /v1/ask: the answer JSON, encoded."""
        body = await read_json(request, self.settings.max_body, "/$defs/ask_request")
        p = body.get("patient")
        patient = PatientInput(p.get("age"), p.get("bmi"), tuple(p.get("factors") or ())) if p else None
        full = bool(body.get("full"))
        answer = await self.library.run(self.library.ask, body["question"], patient, full,
                                        key=("ask", body["question"], patient, full))
        return encode_json(answer.to_json())

    async def terms(self, request: Request) -> JSONResponse:
        model = self.library.kb.model
        return JSONResponse({"schema": "tadlog.terms/1", "terms": self.library.terms,
                             "factors": sorted(factor_names(model))})

    async def statement(self, request: Request) -> JSONResponse:
        from ..render.json import citation_json

        sid = request.path_params["id"]
        model = self.library.kb.model
        if sid not in model.statement_by_id:
            from ..errors import did_you_mean

            raise ServiceError(f"no statement '{sid[:100]}'", code="S404", status=404,
                               suggestion=did_you_mean(sid, model.statement_by_id))
        citation = _citation(self.library.kb, sid)
        passage = self.library.passage(sid)
        facts = [f"{_atom_text(f.atom)}" for f in model.facts if sid in f.cites]
        facts += [f"rule {r.label}" for r in model.rules if sid in r.cites]
        return JSONResponse({"schema": "tadlog.statement/1", "citation": citation_json(citation), "facts": facts,
                             "passage": passage.to_json() if passage else None})

    async def graph(self, request: Request) -> Response:
        question = request.query_params.get("question")
        if not question:
            raise ServiceError("give the question: /v1/graph?question=why+midpalate%3F", code="S422", status=422,
                               pointer="/question")
        if len(question) > 1000:
            raise ServiceError("the question is longer than 1000 characters", code="S422", status=422,
                               pointer="/question")

        def build():
            import networkx as nx

            return nx.node_link_data(self.library.kb.ask(question).provenance, edges="links")

        data = await self.library.run(build)
        return Response(json.dumps(data, default=str), media_type="application/json")

    async def health(self, request: Request) -> JSONResponse:
        from ..version import __version__

        m = self.library.kb.model
        return JSONResponse({"status": "ok", "version": __version__, "statements": len(m.statements),
                             "facts": len(m.facts), "rules": len(m.rules), "kb": self._kb_identity()})

    def _kb_identity(self) -> dict:
        """Which knowledge base is served (as every command names it): its folder, files and hash."""
        if self._identity is None:
            from ..language.identity import identify

            root = self.library.kb.root
            found = identify(root) if root is not None else None
            self._identity = {"path": str(root) if root is not None else None,
                              "files": found.files if found else None, "sha256": found.sha256 if found else None}
        return self._identity

    async def openapi(self, request: Request) -> JSONResponse:
        from .openapi import document

        return JSONResponse(document())

    async def page(self, request: Request) -> HTMLResponse:
        from .page import page

        html, status = await page(self.library, request.query_params)
        return HTMLResponse(html, status_code=status, headers={"Content-Security-Policy": PAGE_CSP,
                                                               "X-Content-Type-Options": "nosniff"})


class _Ask:
    """POST /v1/ask as a plain ASGI app, the route every question takes: the same checks, errors
    and response (JSON, Content-Length) as a Starlette endpoint, without the per-request Request
    wrapper, exception wrapper and Response object an endpoint function gets (Starlette's
    ExceptionMiddleware still turns every error into its structured body). Measured with
    benchmarks/bench_service.py."""

    def __init__(self, api: _Api):
        self.api = api

    async def __call__(self, scope, receive, send) -> None:
        content = await self.api.ask(Request(scope, receive))
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", str(len(content)).encode("latin-1")),
                                (b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": content})


def _citation(kb, sid: str):
    """A statement's citation, built as answers build theirs."""
    from ..questions.explainer import Explainer

    return Explainer(kb.model, kb.derivations).citation(sid)


def _atom_text(atom) -> str:
    args = ", ".join(str(getattr(a, "value", getattr(a, "name", a))) for a in atom.args)
    return f"{atom.predicate}({args})"
