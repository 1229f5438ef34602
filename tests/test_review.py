"""`tadlog review`: a semantic diff by meaning, consequences, answers, findings; real CLI, real git."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from test_check import STATEMENTS, run, write_kb
from schema_support import validate

BODY = STATEMENTS + '''success(midpalate, 90) cites st_a.
site(midpalate) cites st_a.
site(crest) cites st_c.
rule good_site:
    recommended(S) :- site(S), success(S, P), P >= 90, not not_recommended(S)
    cites st_b.
'''
QUESTIONS = "# standard questions\nwhy midpalate?\nwhy not crest?\n"


def make(tmp_path: Path, name: str, body: str, questions: str = QUESTIONS) -> Path:
    kb = write_kb(tmp_path / name, body)
    (kb / "questions.txt").write_text(questions)
    return kb


def review(base: Path, head: Path, *args: str, cwd: Path | None = None):
    result = run("review", str(base), str(head), "--no-quotes", *args, cwd=cwd or base.parent)
    return result


def review_json(base: Path, head: Path) -> dict:
    result = review(base, head, "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    data = json.loads(result.stdout)
    validate(data, "review")  # every review the tests print follows docs/schemas/review.json
    data["_exit"] = result.returncode
    return data


def changes(data: dict) -> list[tuple[str, str, str]]:
    return [(c["kind"], c["action"], c["key"]) for c in data["changes"]]


def test_identical_and_reformatted_kbs_have_no_change(tmp_path):
    base = make(tmp_path, "a", BODY)
    # Reordered declarations, other line breaks and spacing, citation order: the same meaning.
    lines = BODY.strip().split("\n")
    reformatted = "\n\n".join(reversed(lines[:6])) + "\n" + "\n".join(lines[6:]).replace(
        "recommended(S) :- site(S)", "recommended(S)   :-\n        site(S)") + "\n"
    head = make(tmp_path, "b", reformatted)
    data = review_json(base, head)
    assert data["_exit"] == 0
    assert data["changes"] == [] and data["consequences"] == [] and data["answers"] == []
    assert data["findings"] == {"new": [], "fixed": []}
    assert data["summary"]["questions"] == {"asked": 2, "changed": 0}
    text = review(base, head).stdout
    assert "declarations: no change in meaning" in text


def test_requoted_and_reclassified_statements_are_changes(tmp_path):
    base = make(tmp_path, "a", BODY)
    head = make(tmp_path, "b", BODY.replace("I would not use the midpalate", "I would rarely use the midpalate")
                .replace("lines 1-2 kind finding", "lines 1-2 kind opinion"))
    data = review_json(base, head)
    assert changes(data) == [("statement", "changed", "st_a"), ("statement", "changed", "st_c")]
    st_a, st_c = data["changes"]
    assert st_a["changes"] == [{"field": "kind", "before": "finding", "after": "opinion"}]
    assert st_c["changes"] == [{"field": "quote", "before": "I would not use the midpalate",
                                "after": "I would rarely use the midpalate"}]
    assert st_c["location"] == "kb/content.tad:3"  # relative to the knowledge-base folder, named by its own name
    assert data["consequences"] == []


def test_corrected_number_is_one_changed_fact_with_consequences(tmp_path):
    base = make(tmp_path, "a", BODY.replace("success(midpalate, 90)", "success(midpalate, 09)"))
    head = make(tmp_path, "b", BODY)
    data = review_json(base, head)
    assert data["_exit"] == 0
    assert changes(data) == [("fact", "changed", "success(midpalate, 90)")]
    assert data["changes"][0]["changes"] == [{"field": "fact", "before": "success(midpalate, 9)",
                                              "after": "success(midpalate, 90)"}]
    assert [(c["action"], c["atom"], c["causes"]) for c in data["consequences"]] == [
        ("gained", "recommended(midpalate)", ["st_a"])]
    # the answer to "why midpalate?" changes, caused by the corrected fact's statement
    [answer] = data["answers"]
    assert answer["question"] == "why midpalate?"
    assert answer["verdict_before"].startswith("No: it does not follow that midpalate is recommended")
    assert answer["verdict_after"].startswith("Yes: midpalate is recommended")
    assert "for: Midpalate is recommended" in answer["reasons_gained"]
    assert answer["causes"] == ["st_a"]
    assert answer["explanation"].startswith("Read as: reasons for and against \u2014 midpalate\n"
                                            "Yes: midpalate is recommended")
    # the check finding BASE had is fixed
    assert [(f["code"], f["location"]) for f in data["findings"]["fixed"]] == [("E150", "kb/content.tad:4")]
    assert data["findings"]["new"] == []


def test_lost_conclusion_names_the_fact_that_now_blocks_it(tmp_path):
    base = make(tmp_path, "a", BODY)
    head = make(tmp_path, "b", BODY + "not_recommended(midpalate) cites st_c.\n")
    data = review_json(base, head)
    assert changes(data) == [("fact", "added", "not_recommended(midpalate)")]
    assert [(c["action"], c["atom"], c["causes"]) for c in data["consequences"]] == [
        ("lost", "recommended(midpalate)", ["st_c"])]
    assert [a["question"] for a in data["answers"]] == ["why midpalate?"]


def test_rules_terms_predicates_conflicts_sources_sections(tmp_path):
    base = make(tmp_path, "a", BODY)
    head_body = BODY.replace("P >= 90", "P >= 95") + \
        'conflict use topic "Use of the midpalate" side st_b side st_c.\n'
    head = make(tmp_path, "b", head_body)
    (head / "terms.tad").write_text((head / "terms.tad").read_text().replace('label "crest"',
                                                                            'label "zygomatic crest"'))
    (head / "sources" / "s1.tad").write_text((head / "sources" / "s1.tad").read_text()
                                             .replace('title "One"', 'title "Chapter one"'))
    data = review_json(base, head)
    assert changes(data) == [("section", "changed", "s1 1"), ("term", "changed", "crest"),
                             ("rule", "changed", "good_site"), ("conflict", "added", "use")]
    rule = next(c for c in data["changes"] if c["kind"] == "rule")
    assert rule["changes"][0]["before"].endswith("P >= 90, not not_recommended(S)")
    assert rule["changes"][0]["after"].endswith("P >= 95, not not_recommended(S)")
    lost = [(c["action"], c["atom"], c["causes"]) for c in data["consequences"]]
    assert lost == [("lost", "recommended(midpalate)", ["rule good_site"])]
    summary = data["summary"]["declarations"]
    assert summary["rules"] == {"added": 0, "removed": 0, "changed": 1}
    assert summary["conflicts"] == {"added": 1, "removed": 0, "changed": 0}


def test_head_with_errors_exits_1_and_still_reports(tmp_path):
    base = make(tmp_path, "a", BODY)
    head = make(tmp_path, "b", BODY + "success(crest, 77) cites st_a.\n")
    result = review(base, head)
    assert result.returncode == 1
    assert "HEAD: 1 error (quotes not verified)" in result.stdout
    assert "+ fact success(crest, 77)" in result.stdout
    assert "kb/content.tad:10: error[E150]: the number 77 does not occur in the quote of st_a" in result.stdout


def test_markdown_and_text_are_ordered_and_deterministic(tmp_path):
    base = make(tmp_path, "a", BODY.replace("success(midpalate, 90)", "success(midpalate, 09)"))
    head = make(tmp_path, "b", BODY)
    md = review(base, head, "--format", "markdown")
    assert md.returncode == 0
    out = md.stdout
    headings = ["### Summary", "### Findings", "### Declarations", "### Consequences", "### Standard questions"]
    positions = [out.index(h) for h in headings]
    assert positions == sorted(positions)
    assert out.startswith(f"## tadlog review: `{base}` → `{head}`\n\n✅ HEAD is valid\n")
    assert "| facts | 0 | 0 | 1 |" in out
    assert "- ➕ gained: Midpalate is recommended (`recommended(midpalate)`) — caused by `st_a`" in out
    assert "<details><summary>New explanation</summary>" in out
    assert review(base, head, "--format", "markdown").stdout == out
    text = review(base, head).stdout
    sections = ["Summary", "Findings new in HEAD", "Findings fixed by HEAD", "Declarations",
                "Consequences (derived facts)", "Standard questions"]  # errors first
    assert [line for line in text.splitlines() if line in sections] == sections


def test_usage_errors_exit_2(tmp_path):
    base = make(tmp_path, "a", BODY)
    # not a folder, and no git repository here to read a revision from
    missing = run("review", str(tmp_path / "nowhere"), str(base), cwd=tmp_path)
    assert missing.returncode == 2
    assert "U012" in missing.stderr and "Traceback" not in missing.stderr
    bad_format = run("review", str(base), str(base), "--format", "yaml", cwd=tmp_path)
    assert bad_format.returncode == 2


# ---- git revisions ------------------------------------------------------------------------------
def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                          check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    kb = make(tmp_path / "src", "one", BODY.replace("success(midpalate, 90)", "success(midpalate, 09)"))
    shutil.copytree(kb, repo / "kb")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    (repo / "kb" / "content.tad").write_text((repo / "kb" / "content.tad").read_text()
                                             .replace("success(midpalate, 09)", "success(midpalate, 90)"))
    git(repo, "commit", "-qam", "fix the number")
    return repo


def test_review_of_git_revisions_never_touches_the_checkout(repo):
    (repo / "kb" / "content.tad").write_text((repo / "kb" / "content.tad").read_text()
                                             + "not_recommended(midpalate) cites st_c.\n")
    status_before = git(repo, "status", "--porcelain")
    index_before = (repo / ".git" / "index").read_bytes()
    tree_before = {p: p.read_bytes() for p in (repo / "kb").rglob("*") if p.is_file()}

    revs = run("review", "HEAD~1", "HEAD", "--no-quotes", "--format", "json", cwd=repo)
    assert revs.returncode == 0, revs.stderr
    data = json.loads(revs.stdout)
    assert (data["base"], data["head"]) == ("HEAD~1", "HEAD")
    assert changes(data) == [("fact", "changed", "success(midpalate, 90)")]
    assert data["changes"][0]["location"] == "kb/content.tad:4"
    assert [f["code"] for f in data["findings"]["fixed"]] == ["E150"]

    # HEAD defaults to the working tree (with its uncommitted change)
    work = run("review", "HEAD", "--no-quotes", "--format", "json", cwd=repo / "kb")
    assert work.returncode == 0, work.stderr
    data = json.loads(work.stdout)
    assert data["head"] == "working tree"
    assert changes(data) == [("fact", "added", "not_recommended(midpalate)")]

    # a bad revision is a usage error
    bad = run("review", "no-such-branch", cwd=repo)
    assert bad.returncode == 2 and "U010" in bad.stderr
    no_kb = run("review", "HEAD~1", "HEAD", "--kb-path", "elsewhere", cwd=repo)
    assert no_kb.returncode == 2 and "U011" in no_kb.stderr

    assert git(repo, "status", "--porcelain") == status_before
    assert (repo / ".git" / "index").read_bytes() == index_before
    assert {p: p.read_bytes() for p in (repo / "kb").rglob("*") if p.is_file()} == tree_before
    assert sorted(p.name for p in repo.iterdir()) == [".git", "kb"]


def test_repo_option_reads_revisions_from_elsewhere(repo, tmp_path):
    result = run("review", "HEAD~1", "HEAD", "--repo", str(repo), "--no-quotes", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "~ fact success(midpalate, 90)" in result.stdout
    not_a_repo = run("review", "HEAD~1", "--repo", str(tmp_path / "src"), cwd=tmp_path)
    assert not_a_repo.returncode == 2 and "U013" in not_a_repo.stderr
