"""Running the service (uvicorn), and the standalone page ``tadlog ask --html`` writes."""
from __future__ import annotations

import os
import sys

from .settings import Settings

__all__ = ["Settings", "run", "standalone_page"]


def run(settings: Settings, *, host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> int:
    """Serve until interrupted. With several workers, each process builds the app from the
    settings (passed in the environment) and loads the knowledge base once."""
    try:
        import uvicorn
    except ImportError:
        from ..errors import UsageError

        raise UsageError('tadlog serve needs the serve extra: pip install "tadlog[serve]"', code="U011") from None
    from .protocol import http_protocol

    print(f"tadlog: serving on http://{host}:{port}/ (page), /v1/ask, /cds-services, /openapi.json", file=sys.stderr)
    options = dict(host=host, port=port, http=http_protocol(), log_level="warning")
    if workers > 1:
        os.environ.update(settings.to_env())
        uvicorn.run("tadlog.serve.app:app_from_env", factory=True, workers=workers, **options)
    else:
        from .app import create_app

        uvicorn.run(create_app(settings), **options)
    return 0


def standalone_page(kb, answer) -> str:
    from ..language.passage import passage
    from ..render.html import Page, render_html
    from ..resources import sources_dir

    passages = {}
    for sid in answer.citations:
        found = passage(kb.model, sid, sources_dir())
        if found is not None:
            passages[sid] = found.to_json()
    return render_html(answer, page=Page(passages=passages))
