"""Shared setup of the question tests: the knowledge base they ask (the bundled kb/ by default)."""
from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def qkb(request):
    """The real bundled kb/; TADLOG_QUESTIONS_KB points at another folder while kb/ is being written."""
    override = os.environ.get("TADLOG_QUESTIONS_KB")
    if override:
        import tadlog

        return tadlog.load(override, use_cache=False)
    return request.getfixturevalue("kb")
