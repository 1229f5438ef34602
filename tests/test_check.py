"""`tadlog check`: validations and curator lint, exact codes and exit statuses, real CLI."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from schema_support import validate

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ROOT / "engine"

SOURCE = '''source s1
    title "T" authors unknown year unknown venue unknown kind book file "s1.txt".
section s1 "1" title "One" lines 1-10.
'''
PREDICATES = '''predicate site(site) "the {site} is an insertion site".
predicate success(site, percent: number) "the {site} has a success rate of {percent}%".
predicate recommended(option) "{option} is recommended" for.
predicate not_recommended(option) "{option} is not recommended" against.
predicate recommended_for(option, indication) "{option} is recommended for {indication}" for.
predicate not_recommended_for(option, indication) "{option} is not recommended for {indication}" against.
'''
TERMS = '''term midpalate category site label "midpalate" aliases "mid-palate".
term crest category site label "crest".
term intrusion category indication label "intrusion".
'''
STATEMENTS = '''statement st_a from s1 section "1" lines 1-2 kind finding quote "the midpalate succeeded in 90% of cases".
statement st_b from s1 section "1" lines 3-4 kind recommendation quote "the midpalate is recommended".
statement st_c from s1 section "1" lines 5-6 kind opinion quote "I would not use the midpalate".
'''


def write_kb(tmp_path: Path, body: str, *, predicates: str = PREDICATES, terms: str = TERMS) -> Path:
    kb = tmp_path / "kb"
    (kb / "sources").mkdir(parents=True)
    (kb / "sources" / "s1.tad").write_text(SOURCE)
    (kb / "predicates.tad").write_text(predicates)
    (kb / "terms.tad").write_text(terms)
    (kb / "content.tad").write_text(body)
    return kb


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ENGINE), TADLOG_NO_CACHE="1")
    env.pop("TADLOG_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "tadlog", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=300)


def check_json(kb: Path) -> dict:
    result = run("check", str(kb), "--no-quotes", "--format", "json")
    data = json.loads(result.stdout)
    validate(data, "check")  # every report the tests print follows docs/schemas/check.json
    data["_exit"] = result.returncode
    return data


def codes(data: dict) -> list[str]:
    return [f["code"] for f in data["findings"]]


def test_clean_kb_exits_0_with_json_schema(tmp_path):
    kb = write_kb(tmp_path, STATEMENTS + "success(midpalate, 90) cites st_a.\nrecommended(midpalate) cites st_b.\n"
                  "site(crest) cites st_c.\n")
    data = check_json(kb)
    assert data["_exit"] == 0
    assert data["schema"] == "tadlog.check/1"
    assert set(data) >= {"errors", "warnings", "infos", "statements", "facts", "rules", "findings"}
    assert data["errors"] == 0 and data["findings"] == []
    assert (data["statements"], data["facts"], data["rules"]) == (3, 3, 0)


def test_number_not_in_quote_is_E150_and_exit_1(tmp_path):
    kb = write_kb(tmp_path, STATEMENTS + "success(midpalate, 09) cites st_a.\nrecommended(midpalate) cites st_b.\n"
                  "site(crest) cites st_c.\n")
    data = check_json(kb)
    assert data["_exit"] == 1
    assert codes(data) == ["E150"]
    finding = data["findings"][0]
    assert finding["severity"] == "error" and finding["line"] == 4 and finding["file"].endswith("content.tad")
    assert "the number 9 does not occur in the quote of st_a" in finding["message"]


def test_duplicates_and_uncited_statement(tmp_path):
    body = STATEMENTS + '''statement st_d from s1 section "1" lines 1-2 kind finding quote "the  midpalate succeeded in 90% of cases".
success(midpalate, 90) cites st_a.
success(midpalate, 90) cites st_a.
recommended(midpalate) cites st_b.
'''
    data = check_json(write_kb(tmp_path, body))
    assert data["_exit"] == 0  # warnings and infos do not fail the check
    assert sorted(codes(data)) == ["I203", "I203", "W201", "W202"]
    uncited = sorted(f["message"] for f in data["findings"] if f["code"] == "I203")
    assert uncited == ["statement st_c is cited by no fact, rule or conflict",
                       "statement st_d is cited by no fact, rule or conflict"]


def test_predicate_without_template_is_W204(tmp_path):
    kb = write_kb(tmp_path, STATEMENTS + "recommended(midpalate) cites st_b.\nsite(crest) cites st_c.\n"
                  "success(midpalate, 90) cites st_a.\nmarker(midpalate) cites st_a.\n",
                  predicates=PREDICATES + 'predicate marker(site) "{site}".\n')
    data = check_json(kb)
    assert codes(data) == ["W204"]
    assert data["findings"][0]["message"] == "predicate marker has no English template"


def test_colliding_aliases_are_E131(tmp_path):
    terms = TERMS + 'term palate_centre category site label "palate centre" aliases "Mid-Palate".\n'
    kb = write_kb(tmp_path, STATEMENTS + "recommended(midpalate) cites st_b.\nsite(crest) cites st_c.\n"
                  "success(midpalate, 90) cites st_a.\n", terms=terms)
    data = check_json(kb)
    assert data["_exit"] == 1
    assert codes(data) == ["E131"]
    assert data["findings"][0]["message"] == 'alias "mid-palate" of palate_centre also names midpalate'


CONTRADICTION = STATEMENTS + '''success(midpalate, 90) cites st_a.
recommended(midpalate) cites st_b.
not_recommended(midpalate) cites st_c.
'''


def test_recommended_and_not_recommended_without_conflict_is_W207(tmp_path):
    data = check_json(write_kb(tmp_path, CONTRADICTION))
    assert data["_exit"] == 0
    assert codes(data) == ["W207"]
    finding = data["findings"][0]
    assert finding["severity"] == "warning"
    assert finding["message"] == ("recommended(midpalate) and not_recommended(midpalate) both hold and no conflict "
                                  "records the disagreement (for: st_b; against: st_c)")
    assert finding["line"] == 6  # the fact advising against, where a curator would look


def test_recorded_conflict_silences_W207(tmp_path):
    body = CONTRADICTION + '''conflict midpalate_use topic "Use of the midpalate" side st_b side st_c.
'''
    data = check_json(write_kb(tmp_path, body))
    assert data["_exit"] == 0 and codes(data) == []


def test_conflict_must_span_both_proofs(tmp_path):
    """A conflict naming statements of one side only does not record this disagreement."""
    body = CONTRADICTION + '''conflict other topic "Success" side st_a side st_b.
'''
    data = check_json(write_kb(tmp_path, body))
    assert codes(data) == ["W207"]


def test_derived_contradiction_for_an_indication_is_W207(tmp_path):
    body = STATEMENTS + '''success(midpalate, 90) cites st_a.
site(midpalate) cites st_a.
not_recommended_for(midpalate, intrusion) cites st_c.
rule good_site: recommended_for(S, intrusion) :- site(S), success(S, P), P >= 90 cites st_b.
'''
    data = check_json(write_kb(tmp_path, body))
    assert codes(data) == ["W207"]
    message = data["findings"][0]["message"]
    assert message.startswith("recommended_for(midpalate, intrusion) and not_recommended_for(midpalate, "
                              "intrusion) both hold")
    assert "for: st_a, st_b" in message and "against: st_c" in message


def test_evaluation_lint_skipped_when_the_program_is_unsound(tmp_path):
    body = CONTRADICTION + "undeclared(midpalate) cites st_a.\n"
    data = check_json(write_kb(tmp_path, body))
    assert data["_exit"] == 1
    assert codes(data) == ["E110"]  # no W207: the knowledge base is not evaluated


def test_text_output_and_summary(tmp_path):
    kb = write_kb(tmp_path, CONTRADICTION)
    result = run("check", str(kb), "--no-quotes")
    assert result.returncode == 0
    assert "warning[W207]: recommended(midpalate) and not_recommended(midpalate) both hold" in result.stdout
    assert "    declare a conflict with a side from each (about midpalate), or correct the fact in error" \
        in result.stdout
    assert result.stdout.strip().endswith("3 statements, 3 facts, 0 rules: 0 errors, 1 warnings, 0 notes")


def test_usage_errors_exit_2(tmp_path):
    missing = run("check", str(tmp_path / "nowhere"))
    assert missing.returncode == 2
    assert "does not exist" in missing.stderr and "Traceback" not in missing.stderr
    bad = run("check", "--format", "yaml")
    assert bad.returncode == 2


def test_quotes_need_a_sources_folder(tmp_path):
    kb = write_kb(tmp_path, CONTRADICTION)
    env_free = run("check", str(kb), "--format", "json", "--sources", str(tmp_path / "no_seeds"))
    data = json.loads(env_free.stdout)
    assert env_free.returncode == 1 and "E142" in codes(data)


def test_every_code_is_documented():
    doc = (ROOT / "docs" / "check-codes.md").read_text()
    import re

    used = set()
    for path in (ENGINE / "tadlog").glob("*.py"):
        used |= set(re.findall(r'"([EWI][0-9]{3})"', path.read_text()))
    used.discard("E000")
    missing = sorted(code for code in used if code not in doc)
    assert missing == []
