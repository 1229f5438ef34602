"""Findings as GitHub Actions workflow commands (``::error file=…,line=…::message``).

Why: in CI a finding then shows on the pull request at its line, not only in the log.
Escaping follows the runner's rules: ``%``, CR and LF in the message; also ``:`` and ``,``
in properties (https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions).
"""
from __future__ import annotations

from typing import Optional

from ..errors import ERROR, WARNING, Diagnostic, display_path

LEVEL = {ERROR: "error", WARNING: "warning"}  # anything else is a notice


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(d: Diagnostic, path: Optional[str] = None) -> str:
    """One workflow command for a finding; ``path`` overrides the location's path."""
    props = []
    loc = d.location
    if loc is not None:
        props.append(f"file={_property(path or display_path(loc.path))}")
        props.append(f"line={loc.line}")
        if loc.column:
            props.append(f"col={loc.column}")
    props.append(f"title={_property(f'tadlog {d.code}')}")
    message = d.message + (f" ({d.suggestion})" if d.suggestion else "")
    return f"::{LEVEL.get(d.severity, 'notice')} {','.join(props)}::{_data(message)}"


def github_notice(message: str) -> str:
    return f"::notice title=tadlog::{_data(message)}"
