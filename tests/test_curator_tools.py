"""Curators' tools through the real command: locate, exact faults, a review without noise, the REPL."""
from __future__ import annotations

import io
import json
import os
import shutil
import sys
import time

import pytest

from conftest import ENGINE, KB, ROOT, run_cli
from test_check import write_kb
from test_review import BODY, make, review_json

IZC_FILE = "sites/cousley_handbook_ch1.tad"


# ---- tadlog locate ----------------------------------------------------------------------------
def test_locate_finds_a_pasted_sentence_and_prints_a_verified_statement(seeds):
    pasted = "In contrast, a study of infrazygomatic inser-\ntions showed that 78% penetrated the\n maxillary sinus"
    result = run_cli("locate", pasted)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "# cousley_handbook (003_65beaa31dcc65606.txt), section 1.11, lines 572-574; quote verified" in out
    assert 'from cousley_handbook section "1.11" lines 572-574' in out
    assert 'quote "In contrast, a study of infrazygomatic insertions showed that 78% penetrated the maxillary sinus".' in out
    data = json.loads(run_cli("locate", "--json", "maxillary sinus at this site").stdout)
    assert data["found"] and data["places"][0]["lines"] == [574, 574] and data["places"][0]["verified"]
    assert data["places"][0]["statement"].startswith("statement ")


def test_locate_tolerates_dashes_and_curly_quotes(seeds):
    # the seed prints an en dash in "[17–30]"; a curator types a plain hyphen
    result = run_cli("locate", "--json", "up to 99% in the midpalate [17-30]")
    place = json.loads(result.stdout)["places"][0]
    assert place["exact"] and place["section"] == "1.8" and place["verified"]


def test_locate_shows_the_nearest_passage_with_the_words_that_differ(seeds):
    result = run_cli("locate", "a study of infrazygomatic insertion showed that 87% penetrated the maxillary sinus")
    assert result.returncode == 1
    assert "not found as written; the nearest passage is cousley_handbook" in result.stdout
    assert "[-insertion-]" in result.stdout and "{+insertions+}" in result.stdout
    assert "[-87%-]" in result.stdout and "{+78%+}" in result.stdout


def test_locate_without_seed_texts_is_a_clear_error(tmp_path):
    result = run_cli("locate", "anything", env_extra={"TADLOG_SOURCES": ""}, cwd=tmp_path)
    assert result.returncode == 1 and "E142" in result.stderr and "Traceback" not in result.stderr


# ---- exact faults ------------------------------------------------------------------------------
def _kb_with(tmp_path, old: str, new: str):
    copy = tmp_path / "kb"
    shutil.copytree(KB, copy)
    path = copy / IZC_FILE
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return copy


def test_a_quote_that_does_not_match_is_shown_against_the_nearest_passage(tmp_path, seeds):
    kb = _kb_with(tmp_path, "a study of infrazygomatic insertions", "a study of infrazygomatic insertion")
    result = run_cli("check", str(kb), "--sources", str(seeds))
    assert result.returncode == 1
    out = result.stdout
    assert "error[E140]: statement hb_izc_sinus_78" in out
    assert "nearest passage: 003_65beaa31dcc65606.txt lines 572-574" in out
    assert "[-insertion-]" in out and "{+insertions+}" in out
    assert "fix: quote the source's words (lines 572-574)" in out
    data = json.loads(run_cli("check", str(kb), "--sources", str(seeds), "--format", "json").stdout)
    e140 = [f for f in data["findings"] if f["code"] == "E140"]
    assert e140 and e140[0]["line"] and "{+insertions+}" in e140[0]["suggestion"]


def test_a_quote_in_the_wrong_lines_names_the_right_ones(tmp_path, seeds):
    kb = _kb_with(tmp_path, 'section "1.8" lines 428-430', 'section "1.8" lines 440-442')
    out = run_cli("check", str(kb), "--sources", str(seeds)).stdout
    assert "error[E140]: statement hb_izc_success_78" in out
    assert "cite lines 428-430" in out


def test_a_number_missing_from_its_quote_names_the_numbers_there(tmp_path):
    kb = _kb_with(tmp_path, "site_success_percent(infrazygomatic_crest, 78)",
                  "site_success_percent(infrazygomatic_crest, 87)")
    out = run_cli("check", str(kb), "--no-quotes").stdout
    assert "error[E150]: the number 87 does not occur in the quote of hb_izc_success_78; the quote gives 78, 30, 31" in out
    assert "did you mean 78?" in out


# ---- a review that shows what matters ------------------------------------------------------------
def test_citations_and_conflict_listings_alone_do_not_change_an_answer(tmp_path):
    base = make(tmp_path, "a", BODY)
    head = make(tmp_path, "b", BODY.replace("success(midpalate, 90) cites st_a.", "success(midpalate, 90) cites st_a, st_c.")
                + 'conflict c1 topic "midpalate" side st_a side st_c.\n')
    data = review_json(base, head)
    assert ("conflict", "added", "c1") in [(c["kind"], c["action"], c["key"]) for c in data["changes"]]
    assert data["summary"]["questions"] == {"asked": 2, "changed": 0}
    # a change of figure is a change
    figure = make(tmp_path, "c", BODY.replace("success(midpalate, 90)", "success(midpalate, 95)")
                  .replace("90% of cases", "95% of cases"))
    assert review_json(base, figure)["summary"]["questions"]["changed"] >= 1


def test_markdown_is_capped_with_a_pointer_to_the_full_report(tmp_path):
    sys.path.insert(0, str(ENGINE))
    from tadlog.curate.review import review
    from tadlog.curate.review.render import MARKDOWN_LIMIT, render_markdown

    base = make(tmp_path, "a", BODY.replace("success(midpalate, 90)", "success(midpalate, 09)"))
    head = make(tmp_path, "b", BODY)
    r = review(str(base), str(head), check_quotes=False)
    whole = render_markdown(r)
    assert MARKDOWN_LIMIT < 60_000 and "<details>" in whole
    folded = render_markdown(r, limit=len(whole) - 1)
    assert len(folded) < len(whole) and "<details>" not in folded and "Explanations left out" in folded
    cut = render_markdown(r, limit=900, full_report="https://ci.example/review.md")
    assert len(cut) <= 900 and "[the full report](https://ci.example/review.md)" in cut
    assert cut.index("### Findings") < len(cut)  # errors are never what is cut first


def test_github_annotations_for_new_findings(tmp_path):
    base = make(tmp_path, "a", BODY)
    head = make(tmp_path, "b", BODY.replace("success(midpalate, 90)", "success(midpalate, 77)"))
    from test_review import review as run_review

    result = run_review(base, head, "--format", "github")
    assert result.returncode == 1
    line = next(l for l in result.stdout.splitlines() if "E150" in l)
    assert line.startswith("::error file=kb/content.tad,line=") and ",title=tadlog E150::the number 77" in line
    assert result.stdout.rstrip().splitlines()[-1].startswith("::notice title=tadlog::declarations:")


def test_progress_appears_only_after_a_second():
    sys.path.insert(0, str(ENGINE))
    from tadlog.commands.screen import Progress

    quick, slow = io.StringIO(), io.StringIO()
    p = Progress("tadlog review", quick, delay=0.3)
    p("loading")
    p("done")
    time.sleep(0.4)
    assert quick.getvalue() == ""
    p = Progress("tadlog review", slow, delay=0.05)
    p("loading BASE")
    time.sleep(0.2)
    p("answering")
    p("done")
    lines = slow.getvalue().splitlines()
    assert lines[0].startswith("tadlog review: loading BASE (") and lines[-1].startswith("tadlog review: done")


# ---- the REPL through a pseudo-terminal ------------------------------------------------------------
def test_repl_ctrl_c_cancels_the_line_full_toggles_ctrl_d_leaves(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    env = dict(os.environ, PYTHONPATH=str(ENGINE), TADLOG_NO_CACHE="1", TADLOG_HISTORY=str(tmp_path / "history"),
               TERM="dumb")
    child = pexpect.spawn(sys.executable, ["-m", "tadlog", "repl"], env=env, cwd=str(ROOT), encoding="utf-8",
                          timeout=120, dimensions=(40, 100))
    child.expect_exact("tadlog> ")
    # Ctrl-C typed ahead, right behind the text and without waiting: the line is dropped, the
    # REPL goes on. Repeated, since a lost Ctrl-C was a race (repl.py, _ctrl_c_as_a_key).
    for attempt in range(5):
        child.send(f"why not infrazyg{attempt}")
        child.sendintr()
        child.expect_exact(f"why not infrazyg{attempt}^C")
        child.expect_exact("tadlog> ")
        assert "Infrazygomatic crest" not in child.before and "error[" not in child.before
    child.sendintr()  # on an empty line too
    child.expect_exact("^C")
    child.expect_exact("tadlog> ")
    assert child.isalive()
    child.sendline(":full")
    child.expect_exact("long view on")
    child.expect_exact("tadlog> ")
    child.sendline("why not infrazygomatic?")
    child.expect_exact("tadlog> ")
    long_view = child.before
    assert "not recommended" in long_view and "--full shows" not in long_view
    child.sendline(":full")
    child.expect_exact("long view off")
    child.expect_exact("tadlog> ")
    child.sendeof()  # Ctrl-D: leave, on a new line
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert child.before.startswith("\r\n") or child.before.startswith("\n")
    # the history keeps what was asked, never a cancelled line
    assert (tmp_path / "history").read_text().split("\n")[:3] == [":full", "why not infrazygomatic?", ":full"]


def test_folders_named_differently_share_their_findings(tmp_path):
    base = make(tmp_path, "a", BODY + "orphan(midpalate) cites st_a.\n")  # E110 on both sides
    head = tmp_path / "renamed"
    shutil.copytree(base, head)
    data = review_json(base, head)
    assert data["summary"]["findings"] == {"new": 0, "fixed": 0}
