"""The command line's conventions, driven through the real command in a subprocess.

Which knowledge base every command reads (and says it read), help with examples and exit
codes, suggestions, usage errors exiting 2, terminal width, NO_COLOR and TERM=dumb.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from conftest import KB, ROOT, run_cli

from tadlog.language.parse import kb_files

FILES = len(kb_files(KB))
COMMANDS = ("ask", "repl", "check", "locate", "fmt", "review", "coverage", "graph")


def _checkout_copy(tmp_path, change=None):
    """A minimal tadlog checkout (kb/, grammar/, engine/tadlog/) whose kb/ may be edited."""
    root = tmp_path / "checkout"
    shutil.copytree(KB, root / "kb")
    shutil.copytree(ROOT / "grammar", root / "grammar")
    (root / "engine" / "tadlog").mkdir(parents=True)
    if change:
        path, old, new = change
        target = root / "kb" / path
        text = target.read_text(encoding="utf-8")
        assert old in text
        target.write_text(text.replace(old, new), encoding="utf-8")
    return root


def _installed():
    script = shutil.which("tadlog")
    if script is None:
        pytest.skip("tadlog is not installed here (pip install .)")
    return script


def _run_installed(*args, cwd, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TADLOG") and k != "PYTHONPATH"}
    env["TADLOG_NO_CACHE"] = "1"
    env.update(env_extra or {})
    return subprocess.run([_installed(), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


IZC = ("sites/cousley_handbook_ch1.tad", "site_success_percent(infrazygomatic_crest, 78)",
       "site_success_percent(infrazygomatic_crest, 95)")
IZC_QUOTE = ("sites/cousley_handbook_ch1.tad", "are relatively low, at 78%", "are relatively low, at 95%")


def test_an_edit_in_the_checkout_is_what_the_installed_command_answers(tmp_path):
    root = _checkout_copy(tmp_path, IZC)
    text = (root / "kb" / IZC_QUOTE[0]).read_text(encoding="utf-8")
    (root / "kb" / IZC_QUOTE[0]).write_text(text.replace(IZC_QUOTE[1], IZC_QUOTE[2]), encoding="utf-8")
    result = _run_installed("ask", "why not infrazygomatic?", "--json", cwd=root / "kb" / "sites")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["kb"]["origin"] == "checkout" and data["kb"]["path"] == str((root / "kb").resolve())
    assert data["kb"]["installed_differs"] is True
    assert "95%" in json.dumps(data) and "have a reported success rate of 78%" not in json.dumps(data)
    verbose = _run_installed("ask", "why not infrazygomatic?", "-v", cwd=root)
    assert re.search(rf"knowledge base: .*kb \(the checkout's kb/; {FILES} files, sha256 [0-9a-f]{{12}}; "
                     r"the installed copy differs", verbose.stderr), verbose.stderr


def test_outside_a_checkout_the_installed_copy_is_named(tmp_path):
    result = _run_installed("coverage", "--json", cwd=tmp_path)
    data = json.loads(result.stdout)
    assert data["kb"]["origin"] == "installed" and data["kb"]["files"] == FILES
    assert len(data["kb"]["sha256"]) == 64


def test_kb_option_and_variable_on_every_command(tmp_path):
    copy = tmp_path / "mykb"
    shutil.copytree(KB, copy)
    by_option = json.loads(run_cli("check", "--kb", str(copy), "--no-quotes", "--format", "json").stdout)
    by_env = json.loads(run_cli("graph", "--format", "json", env_extra={"TADLOG_KB": str(copy)}).stdout)
    assert by_option["kb"]["origin"] == "option" and by_env["kb"]["origin"] == "environment"
    assert by_option["kb"]["sha256"] == by_env["kb"]["sha256"]
    missing = run_cli("ask", "why midpalate?", env_extra={"TADLOG_KB": str(tmp_path / "nowhere")})
    assert missing.returncode == 2 and "TADLOG_KB" in missing.stderr


def _subcommands(parser, path=()):
    """Every subcommand of the real parser, nested ones too (tadlog cache clear), as argv paths."""
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield path + (name,), sub
                yield from _subcommands(sub, path + (name,))


READS_NO_KB = {("completion",), ("cache",), ("cache", "info"), ("cache", "clear")}


def test_help_has_descriptions_examples_and_exit_codes():
    from tadlog.cli import build_parser

    top = run_cli("--help", env_extra={"COLUMNS": "100"})
    assert top.returncode == 0
    commands = list(_subcommands(build_parser()))
    assert {path[0] for path, _ in commands} >= set(COMMANDS) | {"serve", "cache", "completion"}
    for path, parser in commands:
        if len(path) == 1:
            assert re.search(rf"^\s+{path[0]}\s+\w", top.stdout, re.M), path
        result = run_cli(*path, "--help", env_extra={"COLUMNS": "100"})
        assert result.returncode == 0, path
        sub = result.stdout
        assert parser.description and " ".join(parser.description.split()[:4]) in " ".join(sub.split()), path
        examples = sub.split("examples:\n", 1)[1].split("\n\n", 1)[0].splitlines() if "examples:" in sub else []
        assert examples and all(re.match(r"  (eval \"\$\()?tadlog ", e) for e in examples), path
        assert any(" ".join(path) in e for e in examples), path
        assert "exit codes:\n  0  success\n  1  " in sub and "2  a usage error" in sub, path
        if path in READS_NO_KB:
            assert "--kb" not in sub and "knowledge base is read" not in sub, path
        else:
            assert "--kb DIR" in sub and "--verbose" in sub, path
    for name in ("NO_COLOR", "TADLOG_HISTORY", "TADLOG_CACHE_DIR", "TADLOG_NO_CACHE", "TADLOG_CACHE_MAX_MB", "COLUMNS"):
        assert name in top.stdout, name
    version = run_cli("-V")
    assert version.returncode == 0 and re.fullmatch(r"tadlog \d+\.\d+\.\d+\n", version.stdout)


def test_help_fits_a_narrow_terminal():
    for path in (("--help",), ("serve", "--help"), ("cache", "--help"), ("review", "--help")):
        out = run_cli(*path, env_extra={"COLUMNS": "60"}).stdout
        prose = out.split("\n\n", 1)[1]  # argparse's usage line is its own; the rest is ours to fill
        assert _overruns(prose, 60) == [], path


def test_usage_errors_exit_2_with_suggestions(tmp_path):
    missing = run_cli("ask", "--file", str(tmp_path / "missing.txt"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr and "Traceback" not in missing.stderr
    assert run_cli("ask", "--file", str(tmp_path)).returncode == 2
    flag = run_cli("ask", "why midpalate?", "--jsn")
    assert flag.returncode == 2 and "did you mean --json?" in flag.stderr
    command = run_cli("chek")
    assert command.returncode == 2 and "did you mean check" in command.stderr
    assert run_cli("fmt", str(tmp_path / "nowhere")).returncode == 2
    nested = run_cli("cache", "clear", "--jsn")  # a subcommand's subcommand gets suggestions too
    assert nested.returncode == 2 and "did you mean --json?" in nested.stderr
    action = run_cli("cache", "cleer")
    assert action.returncode == 2 and "did you mean clear" in action.stderr
    for argv in (("cache",), ("ask",), ("review",), ("serve", "--port", "0"), ("completion", "fish")):
        result = run_cli(*argv)
        assert result.returncode == 2 and "Traceback" not in result.stderr, argv


def _overruns(text: str, width: int) -> list[str]:
    """The lines longer than ``width``, but for a line holding one word that is longer by itself
    (an identifier or a URL is never cut)."""
    return [line for line in text.splitlines() if len(line) > width and len(line.split()) != 1]


@pytest.mark.parametrize("question", ["why not infrazygomatic?", "help", "contraindications for a diabetic smoker"])
def test_width_follows_the_terminal(question):
    for columns in (40, 60):
        for view in ((), ("--full",)):
            out = run_cli("ask", question, *view, env_extra={"COLUMNS": str(columns)}).stdout
            # one column is left free (a line ending in the last one makes some terminals wrap)
            limit = max(columns - 1, 40)
            assert out.strip() and _overruns(out, limit) == [], (columns, view)
    default = run_cli("ask", question).stdout  # not a terminal: 80 columns
    wide = run_cli("ask", question, "--full", env_extra={"COLUMNS": "121"}).stdout
    assert _overruns(default, 80) == [] and _overruns(wide, 120) == []
    assert max(len(line) for line in default.splitlines()) > 59
    if question != "help":  # prose fills the width it is given; the help table keeps its layout
        assert max(len(line) for line in wide.splitlines()) > 80


def test_colour_on_a_terminal_unless_no_color_or_dumb():
    pexpect = pytest.importorskip("pexpect")

    def shown(**env):
        environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        environment.update(PYTHONPATH=str(ROOT / "engine"), TADLOG_NO_CACHE="1", **env)
        child = pexpect.spawn(sys.executable, ["-m", "tadlog", "ask", "why midpalate?"], env=environment,
                              encoding="utf-8", timeout=120, cwd=str(ROOT))
        out = child.read()
        child.close()
        return out

    assert "\x1b[" in shown(TERM="xterm")
    assert "\x1b[" not in shown(TERM="xterm", NO_COLOR="1")
    assert "\x1b[" not in shown(TERM="dumb")


def test_check_prints_notes_under_verbose_and_github_annotations(tmp_path):
    plain = run_cli("check", "--no-quotes")
    verbose = run_cli("check", "--no-quotes", "--verbose")
    notes = re.search(r"(\d+) notes", plain.stdout)
    assert notes and int(notes.group(1)) > 0 and "--verbose shows them" in plain.stdout
    assert verbose.stdout.count("info[") == int(notes.group(1))
    assert "info[" not in plain.stdout
    assert "knowledge base:" in verbose.stderr
    github = run_cli("check", "--no-quotes", "--format", "github")
    assert github.stdout.startswith("::warning file=kb/") or "::warning file=" in github.stdout
    assert re.search(r"^::warning file=[^,]+,line=\d+,col=\d+,title=tadlog W\d+::", github.stdout, re.M)


def test_completion_script_names_the_subcommands():
    bash = run_cli("completion", "bash")
    assert bash.returncode == 0
    for command in COMMANDS:
        assert command in bash.stdout
    assert "complete" in bash.stdout


def test_completion_completes_in_a_real_bash(tmp_path):
    """The script, loaded by bash, completes subcommands, nested ones, flags and choices."""
    if shutil.which("bash") is None:
        pytest.skip("no bash here")
    script = tmp_path / "tadlog.bash"
    script.write_text(run_cli("completion", "bash").stdout, encoding="utf-8")

    def complete(*words: str) -> list[str]:
        import shlex

        line = " ".join(("tadlog",) + words)
        program = (f". {shlex.quote(str(script))}; COMP_WORDS=(tadlog {' '.join(map(shlex.quote, words))}); "
                   f"COMP_CWORD={len(words)}; COMP_LINE={shlex.quote(line)}; COMP_POINT={len(line)}; "
                   '_shtab_tadlog; printf "%s\\n" "${COMPREPLY[@]}"')
        result = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], capture_output=True, text=True,
                                timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout.split()

    assert complete("ca") == ["cache"]
    assert complete("cache", "c") == ["clear"]
    assert complete("ask", "--fu") == ["--full"]
    assert complete("review", "--format", "") == ["text", "markdown", "json", "github"]
