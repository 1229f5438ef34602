"""The command as users run it: the installed console script, and python -m tadlog."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ENGINE, ROOT, run_cli


def _installed_env():
    """The environment of a user: no checkout on the path, no project variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TADLOG") and k != "PYTHONPATH"}
    env["TADLOG_NO_CACHE"] = "1"
    return env


def _require_installed():
    script = shutil.which("tadlog")
    if script is None:
        if os.environ.get("CI"):
            pytest.fail("tadlog is not installed: CI must run 'pip install .' first")
        pytest.skip("tadlog is not installed here (pip install .)")
    return script


def test_installed_cli_answers_from_any_directory(tmp_path):
    script = _require_installed()
    result = subprocess.run([script, "ask", "why not infrazygomatic?"], cwd=tmp_path, env=_installed_env(),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "not recommended" in text.lower()
    assert "78%" in text
    probe = subprocess.run([sys.executable, "-c", "import tadlog, pathlib; p = pathlib.Path(tadlog.__file__).parent;"
                            "print(p); print((p / 'kb').is_dir(), (p / 'grammar' / 'kb.lark').is_file())"],
                           cwd=tmp_path, env=_installed_env(), capture_output=True, text=True)
    location, bundled = probe.stdout.splitlines()
    # (a virtual environment may live inside the checkout, as the README's .venv does)
    assert not location.startswith(str(ROOT / "engine")), "the installed package must not come from the checkout"
    assert bundled == "True True"


def test_installed_python_m_and_json(tmp_path):
    _require_installed()
    result = subprocess.run([sys.executable, "-m", "tadlog", "ask", "why not infrazygomatic?", "--json"],
                            cwd=tmp_path, env=_installed_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["schema"] == "tadlog.answer/2" and data["holds"] is False


def test_json_answer_carries_quotes_and_locations():
    result = run_cli("ask", "why not infrazygomatic?", "--json")
    data = json.loads(result.stdout)
    assert data["arguments"]["against"]
    for argument in data["arguments"]["against"]:
        assert argument["statements"], argument
        for sid in argument["statements"]:
            citation = data["citations"][sid]
            assert citation["quote"] and citation["section"] and len(citation["lines"]) == 2
    quotes = " ".join(c["quote"] for c in data["citations"].values())
    for needle in ("78%", "30 consecutive Caucasian patients", "88%", "8 mm", "not recommended"):
        assert needle in quotes


def test_unknown_question_is_a_clear_error_without_traceback():
    result = run_cli("ask", "why not the flux capacitor?")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "unknown name 'flux capacitor'" in result.stderr
    assert "^" in result.stderr


def test_a_typo_is_read_as_the_nearest_name_and_said_so():
    result = run_cli("ask", "why not infrazygomatik?")
    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("Read as: reasons against") and "infrazygomatic crest" in first
    assert "'infrazygomatik' as 'infrazygomatic'" in " ".join(result.stdout.split())


def test_usage_errors_exit_2():
    assert run_cli("ask").returncode == 2
    assert run_cli("frobnicate").returncode == 2


def test_dot_and_graphml_exports():
    dot = run_cli("ask", "why not infrazygomatic?", "--dot")
    assert dot.returncode == 0 and dot.stdout.startswith("digraph provenance {")
    assert "statement:" in dot.stdout and "document:" in dot.stdout
    graphml = run_cli("ask", "why midpalate?", "--graphml")
    assert graphml.returncode == 0 and "<graphml" in graphml.stdout


def test_example_embeds_the_library():
    env = dict(os.environ, PYTHONPATH=str(ENGINE), TADLOG_NO_CACHE="1")
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "embed.py")], capture_output=True, text=True,
                            env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("verdict: ")
    assert "rests on: " in result.stdout
    assert "document=" in result.stdout
