"""tadlog: the clinical evidence on orthodontic mini-implants as cited Datalog.

The public API is small: :func:`load` a knowledge base, :meth:`KnowledgeBase.ask` it a
question, read the :class:`Answer` (text, Markdown, JSON, provenance graph). Every error is
a :class:`TadlogError`.
"""
from .version import __version__  # noqa: E402,F401

from .errors import (  # noqa: E402
    Diagnostic, EngineError, KBSyntaxError, Location, QueryError, SourceTextError, TadlogError,
    UsageError, ValidationError,
)
from .kb import KnowledgeBase, load  # noqa: E402


def __getattr__(name):
    # Answer and Query pull in more modules; import them only when asked for.
    if name == "Answer":
        from .questions.answer import Answer
        return Answer
    if name == "Query":
        from .questions.query import Query
        return Query
    raise AttributeError(name)


__all__ = ["load", "KnowledgeBase", "Answer", "Query", "TadlogError", "KBSyntaxError", "ValidationError",
           "QueryError", "SourceTextError", "EngineError", "UsageError", "Diagnostic", "Location", "__version__"]
