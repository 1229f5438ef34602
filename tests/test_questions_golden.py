"""Golden answers: question in → rendered text out, from the real knowledge base.

Regenerate with ``TADLOG_UPDATE_GOLDEN=1 pytest tests/test_questions_golden.py``; otherwise each
answer is compared with tests/golden/questions/<name>.txt (first line: the question and options).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from questions_support import qkb  # noqa: F401  (fixture)
from tadlog.errors import TadlogError

GOLDEN = Path(__file__).parent / "golden" / "questions"

CASES = [  # (file name, question, options)
    ("why_not_izc", "why not infrazygomatic?", {}),
    ("why_not_izc_full", "why not infrazygomatic?", {"full": True}),
    ("why_not_izc_teen_smoker", "Why not IZC for a 15-year-old smoker", {}),
    ("why_not_izc_adult", "why not infrazygomatic crest for a 40 year old", {}),
    ("why_not_midpalate_smoker", "why not midpalate for a smoker", {}),
    ("why_not_midpalate_low_bmi", "why not the midpalate for a patient with BMI 17", {}),
    ("why_midpalate_distalisation", "why midpalate for molar distalisation?", {}),
    ("why_midpalate", "why midpalate?", {}),
    ("why_midpalate_depth1", "why midpalate", {"depth": 1}),
    ("why_izc", "why infrazygomatic crest?", {}),
    ("sites_intrusion_teen_high_mmpa", "sites for molar intrusion for an adolescent with a high MMPA?", {}),
    ("sites_distalisation", "sites for molar distalisation?", {}),
    ("sites_protraction_adult", "Sites for molar protraction, adult", {}),
    ("anchorage_12", "direct or indirect anchorage for a 12 year old?", {}),
    ("anchorage", "direct or indirect anchorage?", {}),
    ("anchorage_adult", "DIRECT OR INDIRECT ANCHORAGE FOR AN ADULT", {}),
    ("risks_mandibular_buccal", "risks of mandibular buccal?", {}),
    ("risks_izc", "risks of the infrazygomatic crest", {}),
    ("indications_transverse", "indications in the transverse plane?", {}),
    ("indications_vertical", "indications in the vertical plane", {}),
    ("indications_all", "indications?", {}),
    ("contraindications", "contraindications?", {}),
    ("contraindications_diabetic_smoker", "contraindications for a diabetic smoker", {}),
    ("is_smoking_contraindication", "is smoking a contraindication?", {}),
    ("is_diabetes_contraindication", "is diabetes a contraindication", {}),
    ("is_osteoporosis_absolute", "is osteoporosis an absolute contraindication?", {}),
    ("compare_midpalate_izc", "compare midpalate and infrazygomatic crest", {}),
    ("what_is_indirect", "what is indirect anchorage?", {}),
    ("what_is_midpalate", "What is the midpalate", {}),
    ("sources_izc", "sources of infrazygomatic?", {}),
    ("show_statement", "show hb_izc_success_78", {}),
    ("raw_success", "? site_success_percent(Site, P), P >= 90.", {}),
    ("help", "help", {}),
    ("why_midpalate_after_failure", "why midpalate for a patient with a failed maxillary buccal mini-implant?", {}),
    # the clinical areas beyond sites and anchorage: failure, technique, design, complications, mechanics
    ("what_is_primary_failure", "what is primary failure?", {}),
    ("what_is_secondary_failure", "what is secondary failure?", {}),
    ("what_is_self_drilling", "what is self-drilling?", {}),
    ("what_is_absolute_anchorage", "what is absolute anchorage?", {}),
    ("what_is_tpa", "what is a transpalatal arch?", {}),
    ("compare_self_drilling_tapping", "compare self-drilling and self-tapping", {}),
    ("sources_root_damage", "sources of root damage?", {}),
    ("sources_fracture", "sources of mini-implant fracture?", {}),
    ("sources_insertion_torque", "sources of insertion torque?", {}),
    ("risks_palatal_alveolus", "risks of palatal alveolus?", {}),
    ("is_bisphosphonates_contraindication", "is bisphosphonate treatment a contraindication?", {}),
    ("indications_anteroposterior", "indications in the anteroposterior plane?", {}),
    ("error_unknown_site", "why not infrazygo?", {}),
    ("why_not_izc_typo", "why not infrazigomatic?", {}),
    ("evidence_torque_palatal", "What torque is right for a palatal miniscrew?", {}),
    ("evidence_take_out", "How do I take a TAD out?", {}),
    ("evidence_wire_guide_or_stent", "wire guide or stent?", {}),
    ("evidence_why_immediate_loading", "why immediate loading?", {}),
    ("evidence_where_teen_open_bite", "Where would you put TADs to intrude the upper molars of a teenager with an open bite?", {}),
    ("error_syntax", "sites molar", {}),
    ("error_early_end", "why not", {}),
    ("error_unknown_factor", "is the flux capacitor a contraindication?", {}),
    ("error_raw_predicate", "? site_succes_percent(Site, P)", {}),
    ("error_raw_types", "? recommended(X), X > 3.", {}),
    ("error_show", "show hb_no_such_statement", {}),
]


def render(kb, question: str, options: dict) -> str:
    try:
        answer = kb.ask(question)
    except TadlogError as error:
        return "ERROR\n" + error.render() + "\n"
    return answer.to_text(full=options.get("full", False), depth=options.get("depth", 3))


def header(question: str, options: dict) -> str:
    extra = "".join(f" --{k}" + ("" if v is True else f" {v}") for k, v in sorted(options.items()))
    return f"Q: {question}{extra}\n\n"


@pytest.mark.parametrize("name,question,options", CASES, ids=[c[0] for c in CASES])
def test_golden_answer(qkb, name, question, options):
    path = GOLDEN / f"{name}.txt"
    actual = header(question, options) + render(qkb, question, options)
    if os.environ.get("TADLOG_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"no golden file {path.name}: run TADLOG_UPDATE_GOLDEN=1 pytest {__file__}"
    assert actual == path.read_text(encoding="utf-8")


def test_golden_cases_cover_every_form():
    from tadlog.questions.query import FORMS

    forms = set()
    import tadlog

    kb = tadlog.load(os.environ.get("TADLOG_QUESTIONS_KB") or Path(__file__).parents[1] / "kb", use_cache=False)
    for _, question, _ in CASES:
        try:
            forms.add(kb.parse_question(question).form)
        except TadlogError:
            forms.add("error")
    assert set(FORMS) | {"error"} <= forms
    assert len(CASES) >= 30


@pytest.mark.parametrize("name,question,options", [c for c in CASES if not c[2].get("full")],
                         ids=[c[0] for c in CASES if not c[2].get("full")])
def test_default_answer_fits_a_screen(qkb, name, question, options):
    text = render(qkb, question, options)
    lines = text.splitlines()
    heading = 0  # the 'Read as: ...' line and its wrapped continuation
    if lines and lines[0].startswith("Read as:"):
        heading = 1
        while heading < len(lines) and lines[heading].startswith("  ") and not lines[heading].startswith("   "):
            heading += 1
    assert len(lines) - heading <= 50, f"{len(lines)} lines"  # the 'Read as' heading sits above the screen
    if not text.startswith("ERROR"):  # diagnostics quote the question and may be longer
        assert all(len(line) <= 80 for line in lines), [l for l in lines if len(l) > 80]


INTERNAL = re.compile(r"(\b_anon\d*|\bV\d+\b|\{[a-z_]+\}|\(_\)|(?<![\w-])_(?![\w-])|, _\)|"
                      r"\b[A-Z][A-Za-z]?\d*\s*(?:<=|>=|!=|<|>|=)\s|\bsome [A-Z]\b)")


@pytest.mark.parametrize("name,question,options", [c for c in CASES if c[1] != "help" and not c[1].startswith("?")],
                         ids=[c[0] for c in CASES if c[1] != "help" and not c[1].startswith("?")])
def test_no_internal_variable_names(qkb, name, question, options):
    text = render(qkb, question, {"full": True, "depth": 99})
    assert not INTERNAL.search(text), INTERNAL.search(text).group(0)
    assert "Traceback" not in text
