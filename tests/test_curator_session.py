"""docs/curator-session.md, run: every ```sh block in order, in a throwaway git copy of the checkout.

The ```text block after a command lists lines its output (standard output and error) must
contain, so the document cannot drift from what the tools do.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time

from conftest import ENGINE, KB, ROOT

DOC = ROOT / "docs" / "curator-session.md"


def steps() -> list[tuple[str, list[str]]]:
    """(script, lines expected in its output) for each ```sh block of the document."""
    blocks = re.findall(r"```(sh|text)\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    out: list[tuple[str, list[str]]] = []
    for kind, body in blocks:
        if kind == "sh":
            out.append((body, []))
        elif out:
            out[-1][1].extend(line for line in body.splitlines() if line.strip())
    return out


def _repo(tmp_path):
    repo = tmp_path / "tadlog"
    shutil.copytree(KB, repo / "kb")
    shutil.copytree(ROOT / "grammar", repo / "grammar")
    (repo / "engine" / "tadlog").mkdir(parents=True)
    (repo / "engine" / "tadlog" / "README").write_text("a checkout's marker for this test\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "tadlog").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m tadlog "$@"\n')
    (bin_dir / "tadlog").chmod(0o755)
    env = dict(os.environ, PYTHONPATH=str(ENGINE), TADLOG_NO_CACHE="1", PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
               GIT_AUTHOR_NAME="curator", GIT_AUTHOR_EMAIL="curator@example.org",
               GIT_COMMITTER_NAME="curator", GIT_COMMITTER_EMAIL="curator@example.org", COLUMNS="200")
    for key in ("TADLOG_KB", "TADLOG_DEBUG", "NO_COLOR"):
        env.pop(key, None)
    for command in (["git", "init", "-q", "-b", "main"], ["git", "add", "."], ["git", "commit", "-q", "-m", "kb"]):
        subprocess.run(command, cwd=repo, env=env, check=True, capture_output=True)
    return repo, env


def test_the_curator_session_runs_as_written(tmp_path, seeds):
    repo, env = _repo(tmp_path)
    script_steps = steps()
    assert len(script_steps) >= 8
    for number, (script, expected) in enumerate(script_steps, 1):
        started = time.monotonic()
        result = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=repo, env=env,
                                capture_output=True, text=True, timeout=600)
        took = time.monotonic() - started
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"step {number} failed:\n{script}\n{output}"
        for line in expected:
            assert line in output, f"step {number}: {line!r} not in the output:\n{output}"
        if script.strip() == "tadlog review main" and took > 2.5:  # progress shows after a second
            assert "tadlog review: " in result.stderr
    markdown = (repo / "review.md").read_text(encoding="utf-8")
    assert markdown.startswith("## tadlog review: `main` → `working tree`") and len(markdown) < 60_000
    log = subprocess.run(["git", "log", "--oneline", "main"], cwd=repo, capture_output=True, text=True).stdout
    assert "proper site selection" in log
    assert '"bau_selecting_proper_implant_site"' in (repo / "merged-review.json").read_text(encoding="utf-8")
