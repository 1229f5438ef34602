"""The knowledge-base language: every validation, reported with file:line:col, caret and hint."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

import tadlog
from conftest import run_cli

SOURCE = '''source hb title "Handbook" authors unknown year unknown venue unknown kind book
    file "003_65beaa31dcc65606.txt".
section hb "1.11" title "Perforation" lines 556-585.
'''
STATEMENT = '''statement izc_sinus from hb section "1.11" lines 572-576 kind finding evidence study
    quote "a study of infrazygomatic insertions showed that 78% penetrated the maxillary sinus at this site".
'''
BASE = SOURCE + STATEMENT + '''predicate sinus_percent(site, percent: number) "{percent}% of {site} insertions enter the sinus".
predicate risky(site) "the {site} is risky".
term infrazygomatic_crest category site label "infrazygomatic crest" aliases "IZC".
term midpalate category site label "midpalate".
'''


def write_kb(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "kb"
    folder.mkdir(exist_ok=True)
    (folder / "main.tad").write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def check(tmp_path, text, *extra):
    folder = write_kb(tmp_path, text)
    return run_cli("check", str(folder), "--format", "json", *extra)


def codes(result) -> list[str]:
    return [f["code"] for f in json.loads(result.stdout)["findings"] if f["severity"] == "error"]


def test_valid_kb_passes_with_quotes_checked(tmp_path, seeds):
    result = check(tmp_path, BASE + "sinus_percent(infrazygomatic_crest, 78) cites izc_sinus.\n",
                   "--sources", str(seeds))
    assert result.returncode == 0, result.stdout + result.stderr
    assert codes(result) == []


@pytest.mark.parametrize("text, code", [
    ("sinus_percent(infrazygomatic_crest, 78).\n", "E114"),                       # uncited fact
    ("sinus_percent(infrazygomatic_crest, 78) cites izc_sinuss.\n", "E115"),      # unknown statement
    ("sinus_pct(infrazygomatic_crest, 78) cites izc_sinus.\n", "E110"),          # undeclared predicate
    ("sinus_percent(infrazygomatic_crest) cites izc_sinus.\n", "E111"),          # arity
    ("sinus_percent(infrazygomatic_crest, high) cites izc_sinus.\n", "E112"),    # type
    ("sinus_percent(infrazygomatic, 78) cites izc_sinus.\n", "E113"),            # unknown term
    ("sinus_percent(infrazygomatic_crest, 87) cites izc_sinus.\n", "E150"),      # number not in quote
    ("risky(S) :- sinus_percent(T, P) cites izc_sinus.\n", "E120"),              # unsafe head
    ("risky(S) :- sinus_percent(S, P), not risky2(T) cites izc_sinus.\n", "E110"),
    ("risky(S) :- sinus_percent(S, P), P > Q cites izc_sinus.\n", "E122"),       # unsafe comparison
    ("risky(S) :- sinus_percent(S, P), S > 3 cites izc_sinus.\n", "E124"),       # compare a name
    ("risky(S) :- sinus_percent(S, P), P > 50.\n", "E114"),                      # uncited rule
    ("risky(S) :- sinus_percent(S, P) cites izc_sinus\n", "E001"),               # syntax: no full stop
])
def test_each_error_is_reported_with_its_code(tmp_path, text, code):
    result = check(tmp_path, BASE + text)
    assert result.returncode == 1
    assert code in codes(result)


def test_unsafe_negation_and_unstratified_negation(tmp_path):
    text = BASE + '''predicate calm(site) "the {site} is calm".
risky(S) :- sinus_percent(S, _), not calm(T) cites izc_sinus.
risky(S) :- sinus_percent(S, _), not calm(S) cites izc_sinus.
calm(S) :- sinus_percent(S, _), not risky(S) cites izc_sinus.
'''
    found = codes(check(tmp_path, text))
    assert "E121" in found and "E123" in found


def test_errors_are_collected_with_location_caret_and_suggestion(tmp_path):
    text = BASE + '''sinus_percent(infrazygomatic, 78) cites izc_sinus.
sinus_percent(midpalate 78) cites izc_sinus.
risky(midpalate) cites izc_sinuz.
'''
    result = run_cli("check", str(write_kb(tmp_path, text)))
    out = result.stdout
    assert result.returncode == 1
    first = BASE.count("\n") + 1
    assert f"main.tad:{first}:15: error[E113]: unknown term infrazygomatic" in out
    assert "did you mean infrazygomatic_crest?" in out
    assert f"main.tad:{first + 1}:25: error[E001]: unexpected '78'" in out
    assert "did you mean izc_sinus?" in out
    caret_line = out.splitlines()[out.splitlines().index("    sinus_percent(infrazygomatic, 78) cites izc_sinus.") + 1]
    assert caret_line == "                  " + "^" * len("infrazygomatic")


def test_quote_not_in_source_and_missing_texts_are_errors(tmp_path, seeds):
    wrong = BASE.replace("78% penetrated", "87% penetrated")
    result = check(tmp_path, wrong, "--sources", str(seeds))
    assert "E140" in codes(result)
    missing = check(tmp_path, BASE, "--sources", str(tmp_path / "nowhere"))
    assert "E142" in codes(missing)
    # outside a checkout (no ../shared/seeds to fall back on) and with no option or variable
    no_option = run_cli("check", str(write_kb(tmp_path, BASE)), "--format", "json",
                        env_extra={"TADLOG_SOURCES": ""}, cwd=tmp_path)
    assert "E142" in codes(no_option)


def test_quote_with_gap_and_hyphenation_is_found(tmp_path, seeds):
    gap = BASE.replace('quote "a study of infrazygomatic insertions showed that 78% penetrated the maxillary sinus at this site"',
                       'quote "a study of infrazygomatic insertions showed that 78% penetrated … mucosal thickening was seen"')
    assert check(tmp_path, gap, "--sources", str(seeds)).returncode == 0
    wrong_order = BASE.replace('quote "a study of infrazygomatic insertions showed that 78% penetrated the maxillary sinus at this site"',
                               'quote "mucosal thickening was seen … a study of infrazygomatic insertions"')
    assert "E140" in codes(check(tmp_path, wrong_order, "--sources", str(seeds)))


def test_library_raises_one_root_error_with_all_diagnostics(tmp_path):
    folder = write_kb(tmp_path, BASE + "sinus_pct(midpalate, 1) cites izc_sinus.\nrisky(nowhere) cites x.\n")
    with pytest.raises(tadlog.TadlogError) as info:
        tadlog.load(folder, use_cache=False)
    assert isinstance(info.value, tadlog.ValidationError)
    assert {d.code for d in info.value.diagnostics} >= {"E110", "E113", "E115"}
