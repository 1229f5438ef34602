"""Close matches: the rapidfuzz prefilter never changes what difflib would choose.

Checked over the bundled knowledge base's names and aliases, with typed slips of them and
random strings, at both cutoffs the suggestions use (0.6 and 0.75).
"""
from __future__ import annotations

import difflib

from hypothesis import given, settings, strategies as st

from tadlog.similar import close_matches


def _pool(kb):
    return [t.name for t in kb.model.terms] + [a for t in kb.model.terms for a in t.aliases]


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_same_choice_as_difflib_over_the_knowledge_base_names(kb, data):
    pool = _pool(kb)
    name = data.draw(st.sampled_from(pool))
    kept = data.draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    slip = "".join(c for c, keep in zip(name, kept) if keep) + data.draw(st.text("abcdefghij _", max_size=3))
    word = data.draw(st.one_of(st.just(slip), st.text("abcdefghijklmnopqrstuvwxyz _-", min_size=1, max_size=30)))
    for cutoff in (0.6, 0.75):
        assert close_matches(word, pool, 3, cutoff) == difflib.get_close_matches(word, pool, 3, cutoff)


def test_a_ratio_of_exactly_the_cutoff_is_kept():
    # 'today' against 'ptaly' is exactly 0.6 for difflib: a bound rounded the other way lost it
    assert difflib.SequenceMatcher(None, "today", "ptaly").ratio() == 0.6
    assert "today" in close_matches("ptaly", ["palatally", "palatal", "today"], 3, 0.6)
