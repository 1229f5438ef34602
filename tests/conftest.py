"""Test setup: test the working tree's engine, against the real knowledge base and seeds."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ROOT / "engine"
KB = ROOT / "kb"
SEEDS = Path(os.environ.get("TADLOG_SOURCES") or ROOT.parent / "shared" / "seeds")

sys.path.insert(0, str(ENGINE))
os.environ.setdefault("TADLOG_SOURCES", str(SEEDS))


@pytest.fixture(scope="session")
def kb():
    """The bundled knowledge base, loaded once (read-only: KnowledgeBase is immutable)."""
    import tadlog

    return tadlog.load(KB, use_cache=False)


@pytest.fixture(scope="session")
def seeds() -> Path:
    assert SEEDS.is_dir(), f"the seed texts are needed at {SEEDS} (set TADLOG_SOURCES)"
    return SEEDS


def run_cli(*args: str, cwd: Path | None = None, stdin: str | None = None, env_extra: dict | None = None):
    """Run ``python -m tadlog`` from the working tree in a subprocess."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ENGINE)
    env["TADLOG_NO_CACHE"] = "1"
    env.pop("TADLOG_DEBUG", None)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "tadlog", *args], cwd=cwd or ROOT, input=stdin,
                          capture_output=True, text=True, env=env, timeout=300)
