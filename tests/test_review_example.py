"""The worked curator example (examples/curator/): regenerate its review and compare with the golden files.

The example is derived from the real kb/, so the golden files follow the knowledge base: after a
change to kb/, run `python examples/curator/make_example.py --write` and read the diff.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "curator"
sys.path.insert(0, str(EXAMPLE))

import make_example  # noqa: E402

REGENERATE = "regenerate with: python examples/curator/make_example.py --write"


def test_example_review_matches_the_golden_files(seeds):
    outputs = make_example.generate(formats=("markdown", "json"))
    markdown, status = outputs["markdown"]
    assert markdown == (EXAMPLE / "review.md").read_text(encoding="utf-8"), REGENERATE
    data = json.loads(outputs["json"][0])
    assert data == json.loads((EXAMPLE / "review.json").read_text(encoding="utf-8")), REGENERATE
    assert status == (0 if data["valid"] else 1)


def test_example_is_the_real_change(seeds):
    """Section 1.11 comes back with its statements, facts and rules; the mistyped 87 is corrected."""
    data = json.loads((EXAMPLE / "review.json").read_text(encoding="utf-8"))
    added = {(c["kind"], c["key"]) for c in data["changes"] if c["action"] == "added"}
    assert ("statement", "hb_izc_not_recommended") in added
    assert ("fact", "not_recommended(infrazygomatic_crest)") in added
    assert ("rule", "site_better_alternative") in added
    assert all(c["action"] == "added" for c in data["changes"]
               if c["kind"] in ("statement", "rule"))  # nothing else is touched
    [corrected] = [c for c in data["changes"] if c["action"] == "changed"]
    assert corrected["changes"] == [{"field": "fact", "before": "site_success_percent(infrazygomatic_crest, 87)",
                                     "after": "site_success_percent(infrazygomatic_crest, 78)"}]
    assert any(f["code"] == "E150" and "87" in f["message"] for f in data["findings"]["fixed"])
    lost = {c["atom"] for c in data["consequences"] if c["action"] == "lost"}
    assert "recommended(infrazygomatic_crest)" in lost
    questions = {a["question"] for a in data["answers"]}
    assert "why not infrazygomatic?" in questions
