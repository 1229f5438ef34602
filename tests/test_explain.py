"""Why-not analysis on a small knowledge base: typed blockers, explained one level on request."""
from __future__ import annotations

import json
import re
import textwrap

import tadlog

from conftest import run_cli

KB = '''
source s title "T" authors unknown year unknown venue unknown kind book file "x.txt".
statement st from s section "1" lines 1-1 kind finding quote "q 78 85".
predicate recommended(option) "the {option} is recommended".
predicate not_recommended(option) "the {option} is not recommended" against.
predicate in_use(option) "the {option} is in use".
predicate safe(option) "the {option} is safe".
predicate tested(option) "the {option} was tested".
predicate success(option, percent: number) "the {option} succeeds in {percent}%".
predicate banned(option) "the {option} is banned".
term widget category site label "widget".
term gadget category site label "gadget".
in_use(widget) cites st.
in_use(gadget) cites st.
success(gadget, 78) cites st.
banned(gadget) cites st.
rule widget_rule: recommended(X) :- in_use(X), safe(X) cites st.
rule safety: safe(X) :- tested(X) cites st.
rule good_enough: recommended(X) :- in_use(X), success(X, P), P >= 85, not banned(X) cites st.
'''


def load(tmp_path):
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "k.tad").write_text(textwrap.dedent(KB), encoding="utf-8")
    return tadlog.load(tmp_path / "kb", use_cache=False)


def test_missing_derived_fact_is_explained_one_level_on_request(tmp_path):
    kb = load(tmp_path)
    compact = kb.ask("why not widget?")
    (rule,) = [a for a in compact.why_not if a.rule == "widget_rule"]
    (blocker,) = rule.blocked_by
    assert (blocker.kind, blocker.text, blocker.explained) == ("missing_derived_fact", "The widget is safe", ())
    full = kb.ask("why not widget?", full=True)
    (blocker,) = [a for a in full.why_not if a.rule == "widget_rule"][0].blocked_by
    (deeper,) = blocker.explained
    assert deeper.rule == "safety"
    assert [(c.kind, c.text) for c in deeper.blocked_by] == [("missing_fact", "The widget was tested")]
    assert "if the widget was tested (now not established)" in full.would_change
    data = json.loads(run_cli("ask", "--kb", str(tmp_path / "kb"), "why not widget?", "--full", "--json").stdout)
    explained = data["why_not"][[a["rule"] for a in data["why_not"]].index("widget_rule")]["blocked_by"][0]["explained"]
    assert explained[0]["blocked_by"][0]["condition"] == "The widget was tested"


def test_every_blocking_condition_is_typed_with_its_values(tmp_path):
    kb = load(tmp_path)
    answer = kb.ask("why not gadget?")
    (rule,) = [a for a in answer.why_not if a.rule == "good_enough"]
    kinds = {c.kind: c for c in rule.blocked_by}
    assert kinds["comparison_failed"].text == "78 >= 85"          # the failed comparison with its values
    assert kinds["negated_fact_holds"].text == "The gadget is banned"
    assert kinds["negated_fact_holds"].proof.citations == ("st",)  # the negated fact, with its own proof
    assert "The gadget is in use" in rule.held
    text = answer.to_text()
    assert "78 >= 85" in text and not re.search(r"\b[PX]\b", text)  # no internal variable names
