"""The published JSON Schemas hold for what tadlog really prints, and the prose docs say the same.

Every golden question's answer (compact and full) is rendered to JSON and validated against
docs/schemas/answer.json, key order included; the review golden and the check report are
validated too. The service's responses are validated in tests/test_serve.py.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from questions_support import qkb  # noqa: F401  (fixture)
from schema_support import NAMES, schema, validate
from tadlog.errors import TadlogError
from test_questions_golden import CASES

ROOT = Path(__file__).resolve().parents[1]
ANSWERED = [c for c in CASES if not c[0].startswith("error_")]


@pytest.mark.parametrize("name", NAMES)
def test_every_schema_is_valid_2020_12(name):
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(schema(name))
    assert schema(name)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("case", ANSWERED, ids=[c[0] for c in ANSWERED])
def test_golden_answers_follow_the_answer_schema(qkb, case):
    _, question, options = case
    data = qkb.ask(question, full=options.get("full", False)).to_json()
    validate(json.loads(json.dumps(data)), "answer")


def test_full_answers_with_explained_blockers_follow_the_schema(qkb):
    data = qkb.ask("why not infrazygomatic for a 15 year old smoker?", full=True).to_json()
    assert any(b["explained"] for a in data["why_not"] for b in a["blocked_by"]) or data["why_not"]
    validate(data, "answer")


def test_the_schema_rejects_what_it_should(qkb):
    """The schema is not vacuous: a dropped key, a wrong type, an unknown key, a reordering all fail."""
    good = qkb.ask("why not infrazygomatic?").to_json()
    for broken in (_without(good, "verdict"), {**good, "holds": "yes"}, {**good, "extra": 1},
                   dict(reversed(list(good.items())))):
        with pytest.raises(AssertionError):
            validate(broken, "answer")


def _without(data: dict, key: str) -> dict:
    return {k: v for k, v in data.items() if k != key}


def test_enumerations_match_the_code():
    from tadlog.language.model import EVIDENCE_GRADES
    from tadlog.questions.query import FORMS
    from tadlog.render.json import SCHEMA

    defs = schema("answer")["$defs"]
    assert defs["evidence"]["enum"] == list(EVIDENCE_GRADES)
    assert schema("answer")["properties"]["form"]["enum"] == list(FORMS)
    assert schema("answer")["properties"]["schema"]["const"] == SCHEMA


def test_error_diagnostics_follow_the_check_schema(qkb):
    for name, question, _ in [c for c in CASES if c[0].startswith("error_")]:
        with pytest.raises(TadlogError) as caught:
            qkb.ask(question)
        for d in caught.value.diagnostics:
            validate(d.to_json(), "check", "/$defs/diagnostic")


def test_review_golden_follows_the_review_schema():
    validate(json.loads((ROOT / "examples" / "curator" / "review.json").read_text(encoding="utf-8")), "review")


def test_check_report_follows_the_check_schema(seeds):
    from conftest import run_cli

    result = run_cli("check", str(ROOT / "kb"), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    validate(data, "check")
    assert data["findings"], "the bundled kb has lint notes, so findings are exercised"


def test_locate_json_follows_the_locate_schema(seeds):
    from conftest import run_cli

    found = run_cli("locate", "--json", "--all", "maxillary sinus")
    near = run_cli("locate", "--json", "a study of infrazygomatic insertion showed that 87% penetrated the maxillary sinus")
    assert (found.returncode, near.returncode) == (0, 1), found.stderr + near.stderr
    found, near = json.loads(found.stdout), json.loads(near.stdout)
    assert found["found"] and len(found["places"]) > 1 and not near["found"] and near["places"][0]["marked"]
    for data in (found, near):
        validate(data, "locate")
    # not vacuous: an exact place must carry its statement; a near one, its marked words
    exact = found["places"][0]
    for broken in ({**exact, "statement": None}, {**exact, "lines": [574]}, {**near["places"][0], "marked": None}):
        with pytest.raises(AssertionError):
            validate({**found, "places": [broken]}, "locate")


def test_every_schema_is_shipped_in_the_installed_package(tmp_path):
    """What pip installs carries every published schema, byte for byte (pyproject force-include)."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    code = "import json, tadlog.resources as r; print(json.dumps({n: str(r.schema_path(n)) for n in %r}))" % (NAMES,)
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    if result.returncode != 0 and "No module named 'tadlog'" in result.stderr:
        pytest.skip("tadlog is not installed here (pip install .)")
    paths = json.loads(result.stdout)
    for name in NAMES:
        shipped = Path(paths[name])
        assert shipped.parent.name == "schemas" and "site-packages" in shipped.parts, shipped
        assert shipped.read_bytes() == (ROOT / "docs" / "schemas" / f"{name}.json").read_bytes(), name


# ---- the prose docs say what the schema says -------------------------------------------------
def _doc_keys(doc: str) -> dict[str, list[str]]:
    """Keys per object in docs/answer-schema.md: the top-level table, then each **name** `{...}`."""
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    out = {"(top)": re.findall(r"^\| `(\w+)` \|", text, re.M)}
    for name, body in re.findall(r"\*\*(\w+)\*\* `(\{.*?\})`", text, re.S):
        out[name] = _top_level_keys(body)
    return out


def _top_level_keys(body: str) -> list[str]:
    keys, depth = [], 0
    for match in re.finditer(r'[{}\[\]]|"(\w+)":', body):
        token = match.group(0)
        if token in "{[":
            depth += 1
        elif token in "}]":
            depth -= 1
        elif depth == 1:
            keys.append(match.group(1))
    return keys


def test_answer_doc_lists_the_schemas_keys_in_order():
    s = schema("answer")
    documented = _doc_keys("answer-schema.md")
    assert documented["(top)"] == list(s["properties"]), "docs/answer-schema.md top-level table"
    for name in ("argument", "proof", "analysis", "blocker", "item", "conflict", "citation"):
        assert documented.get(name) == list(s["$defs"][name]["properties"]), f"docs/answer-schema.md **{name}**"


# ---- the service's quick check of request bodies (tadlog/serve/schemas.py) -----------------------
ASK = ("service", "/$defs/ask_request")


def test_the_quick_check_is_compiled_for_the_ask_request_and_not_for_nested_parts():
    from tadlog.serve.schemas import quick_check

    assert quick_check(*ASK) is not None
    assert quick_check("cds_hooks", "/$defs/request") is None  # nested objects: the validator decides


@pytest.mark.parametrize("body", [
    {"question": "why midpalate?"}, {"question": "why midpalate?", "full": True}, {"question": "x" * 1000},
    {"question": ""}, {"question": "x" * 1001}, {"question": 3}, {"question": "why?", "full": 1},
    {"question": "why?", "extra": 1}, {}, [], "why?", None, {"question": "why?", "patient": {"age": 15}},
    {"question": "why?", "patient": {"age": "old"}}, {"question": "\U0001F600" * 1000}, {"full": True},
])
def test_the_quick_check_accepts_only_what_the_schema_accepts(body):
    from tadlog.serve.schemas import first_violation, quick_check, validator

    valid = validator(*ASK).is_valid(body)
    if quick_check(*ASK)(body):
        assert valid
    assert (first_violation(body, *ASK) is None) == valid


def test_the_quick_check_never_accepts_a_body_the_validator_refuses():
    from hypothesis import given, settings, strategies as st

    from tadlog.serve.schemas import quick_check, validator

    values = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=1005),
                       st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
    keys = st.sampled_from(["question", "full", "patient", "Question", "x"])

    @settings(max_examples=300, deadline=None)
    @given(st.dictionaries(keys, values, max_size=4))
    def check(body):
        if quick_check(*ASK)(body):
            assert validator(*ASK).is_valid(body)

    check()
