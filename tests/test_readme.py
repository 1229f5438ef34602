"""The README's Quick start is what CI runs: each of its commands appears verbatim in .ci/run."""
from __future__ import annotations

import re

from conftest import ROOT


def quick_start_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [line for block in re.findall(r"```sh\n(.*?)```", section, re.S) for line in block.splitlines() if line]


def test_ci_runs_the_quick_start_verbatim():
    commands = quick_start_commands()
    assert len(commands) == 2
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    for command in commands:
        assert command in ci, command


def test_quick_start_makes_its_own_virtual_environment():
    for command in quick_start_commands():
        assert command.startswith("python3 -m venv .venv && . .venv/bin/activate && pip install ")


def test_ci_requires_the_seed_texts_and_formats():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "export TADLOG_REQUIRE_SOURCES=1" in ci
    assert ci.index("TADLOG_REQUIRE_SOURCES=1") < ci.index("python -m pytest")
    assert "tadlog fmt --check kb" in ci
