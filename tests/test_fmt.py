"""tadlog fmt: one canonical layout, idempotent, comments kept, meaning unchanged."""
from __future__ import annotations

import shutil

import pytest

from conftest import KB, run_cli
from tadlog.curate.fmt import format_text, tad_files
from tadlog.language.parse import parse_kb

MESSY = '''# head comment

statement s1 quote "a b
   c" kind finding   # trailing on kind
    # inner comment
    from src section "1" lines 1-2.
fact_x(a, 1)   cites s1 .  # after fact


rule r:   p(X) :- q(X),not r(X), X != 2 cites s1 because "why".
term t category site label "t" aliases "a", "b".
# end
'''

CANONICAL = '''# head comment

statement s1
    # inner comment
    from src section "1" lines 1-2
    kind finding  # trailing on kind
    quote "a b c".
fact_x(a, 1) cites s1.  # after fact

rule r:
    p(X) :- q(X), not r(X), X != 2
    cites s1
    because "why".
term t category site label "t"
    aliases "a", "b".
# end
'''


def test_layout_is_canonical_and_keeps_comments():
    assert format_text(MESSY) == CANONICAL
    assert format_text(CANONICAL) == CANONICAL


def test_long_value_lists_wrap_under_the_first_value():
    names = ", ".join(f'"alias number {i}"' for i in range(8))
    out = format_text(f"term t category site label \"t\" aliases {names}.")
    lines = out.splitlines()
    assert all(len(line) <= 100 for line in lines) and len(lines) > 2
    assert lines[2].startswith(" " * 12 + '"')
    assert format_text(out) == out


def test_a_syntax_error_is_reported_not_formatted():
    from tadlog.errors import KBSyntaxError

    with pytest.raises(KBSyntaxError):
        format_text("statement s1 quote \"x\"\n")


def test_whole_kb_meaning_unchanged_and_idempotent(tmp_path):
    copy = tmp_path / "kb"
    shutil.copytree(KB, copy)
    for path in tad_files([str(copy)]):
        once = format_text(path.read_text(encoding="utf-8"), str(path))
        assert format_text(once, str(path)) == once, path
        path.write_text(once, encoding="utf-8")
    before, _ = parse_kb(KB)
    after, _ = parse_kb(copy)
    assert before == after  # locations are left out of equality: only meaning is compared


def test_cli_check_gates_and_fmt_fixes(tmp_path):
    bad = tmp_path / "x.tad"
    bad.write_text(MESSY, encoding="utf-8")
    result = run_cli("fmt", "--check", str(tmp_path))
    assert result.returncode == 1 and "x.tad: not formatted" in result.stdout
    assert bad.read_text(encoding="utf-8") == MESSY  # --check writes nothing
    assert run_cli("fmt", str(tmp_path)).returncode == 0
    assert bad.read_text(encoding="utf-8") == CANONICAL
    assert run_cli("fmt", "--check", str(tmp_path)).returncode == 0


def test_bundled_kb_is_formatted():
    result = run_cli("fmt", "--check", str(KB))
    assert result.returncode == 0, result.stdout
