"""A knowledge base a process lets go of is freed at once, by reference counting.

Issue 10: a process that loads many knowledge-base objects (a library host, a benchmark)
spent most of a first answer in the cyclic collector, whose generation-2 passes walked every
discarded knowledge base still waiting for it. Nothing a load or an answer makes may refer
back to itself: these tests load, answer questions of every kind (a fixed form, a free
reading, the what-ifs of unstated patient factors, a raw query, a question naming nothing
known), drop everything, and find it gone with the collector off. No timings.
"""
from __future__ import annotations

import gc
import weakref

import pytest

import tadlog
from conftest import KB

QUESTIONS = [
    "why not infrazygomatic?",                                        # fixed form, what-ifs
    "sites for molar intrusion for an adolescent with a high MMPA?",  # a patient's facts
    "what is the tapered neck for?",                                  # free reading: both indexes
    "? site_success_percent(Site, P), P >= 90.",                      # a raw query (its own rules)
    "what about the capital of Peru?",                                # names nothing: an error
]


@pytest.fixture
def collector_off():
    was = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _ask_all(kb) -> None:
    for question in QUESTIONS:
        try:
            kb.ask(question).to_text()
        except tadlog.TadlogError:
            pass


@pytest.mark.parametrize("use_cache", [False, True])
def test_a_dropped_knowledge_base_is_freed_without_the_collector(tmp_path, monkeypatch, collector_off, use_cache):
    monkeypatch.setenv("TADLOG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("TADLOG_NO_CACHE", raising=False)
    if use_cache:
        _ask_all(tadlog.load(KB))  # fills the entry and its question indexes
    kb = tadlog.load(KB, use_cache=use_cache)
    assert kb.loaded_from == ("cache" if use_cache else "parse")
    _ask_all(kb)
    kb_ref, model_ref = weakref.ref(kb), weakref.ref(kb.model)
    del kb
    assert kb_ref() is None, "the knowledge base is kept alive by a reference cycle"
    assert model_ref() is None, "the model is kept alive by a reference cycle"


def test_answering_leaves_no_cyclic_garbage(tmp_path, monkeypatch, collector_off):
    monkeypatch.setenv("TADLOG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("TADLOG_NO_CACHE", raising=False)
    _ask_all(tadlog.load(KB))
    kb = tadlog.load(KB)
    _ask_all(kb)
    del kb
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        found = gc.collect()
        kinds = sorted({type(o).__name__ for o in gc.garbage})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert found == 0, f"cyclic garbage left: {kinds[:20]}"


def test_the_name_index_reads_the_model_it_was_built_from(kb):
    from tadlog.questions.names import name_index

    index = name_index(kb.model)
    assert index.model is kb.model
    assert index.term_for(("midpalate",)) == "midpalate"
    assert index.term_for(["no", "such", "name"]) is None


class _Made:
    """An object a build makes (tracked by the collector, as a knowledge base's objects are)."""


def test_what_a_large_pause_made_goes_to_the_oldest_generation(monkeypatch):
    """Made with the collector paused, a knowledge base's objects would wait in the youngest
    generation and be walked there and one generation up by the first allocations after it
    (0.2 s of a first why-not at 100x); they are moved to the oldest generation instead."""
    from tadlog import collector

    if gc.get_freeze_count():
        pytest.skip("this process keeps frozen objects: the collector leaves generations alone")
    monkeypatch.setitem(collector._settings, "freeze", False)
    with collector.paused():
        made = [_Made() for _ in range(collector.PROMOTE_AT + 1000)]
    assert any(o is made[0] for o in gc.get_objects(generation=2))
    assert gc.get_freeze_count() == 0
