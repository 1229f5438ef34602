"""A small seeded run of the fuzz harness (tests/fuzz/run.py): every count it must keep at 0 is 0."""
from __future__ import annotations

from fuzz import run


def test_seeded_fuzz_run_finds_no_crash_or_escape(kb):
    """Times are the harness's to print, not the suite's to assert: 'questions over 2 s' is left out."""
    tally = run.Tally()
    run.run_questions(400, seed=7, tally=tally, kb=kb)
    run.run_kbs(0, seed=7, tally=tally, names=["huge_int_fact", "latin1_tad", "rule_5000_literals", "typo_end_50k",
                                                "source_dotdot", "tad_symlink_out", "flipped_3", "nul_tad"])
    assert tally.counts["questions"] == 400 and tally.counts["knowledge bases"] == 8
    assert tally.counts["answered"] > 50 and tally.counts["clear errors"] > 50  # both paths exercised
    for kind in ("non-TadlogError exceptions", "CLI exits other than 0/1/2",
                 "escape sequences printed"):
        assert tally.counts[kind] == 0, tally.failures.get(kind)
