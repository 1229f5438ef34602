"""The measured stages, each run in a fresh process by bench.py (``python stages.py STAGE ...``).

A fresh process per measurement keeps them honest: no warm memo, no module imported by an
earlier stage, and its peak memory (ru_maxrss) belongs to that stage alone. Each prints one
JSON object of seconds (and MiB) on its last line.
"""
from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "engine"))

WHY_NOT = "why not infrazygomatic?"
SITES = "sites for molar intrusion for an adolescent with a high MMPA?"


def _mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _clock(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def load_stages(kb_dir: str, sources: str) -> dict:
    """Uncached: parse, validate, cache write, compile + evaluate, first why-not, first sites-for."""
    import tadlog
    from tadlog.language.parse import parse_kb
    from tadlog.language.validate import validate

    out = {}
    out["parse"], (model, diagnostics) = _clock(lambda: parse_kb(Path(kb_dir)))
    out["validate"], more = _clock(lambda: validate(model))
    kb = tadlog.KnowledgeBase(model, list(diagnostics) + list(more), Path(kb_dir))
    out["evaluate"], _ = _clock(lambda: kb.interpretation)
    out["cache_write"], _ = _clock(lambda: tadlog.kb.write_cache(kb))
    out["why_not"], _ = _clock(lambda: kb.ask(WHY_NOT).to_text())
    out["sites"], _ = _clock(lambda: kb.ask(SITES).to_text())
    out["mib"] = _mib()
    out["facts"], out["rules"], out["statements"] = len(model.facts), len(model.rules), len(model.statements)
    return out


def uncached_load(kb_dir: str, sources: str) -> dict:
    """What a user without a cache waits for: tadlog.load (parse + validate)."""
    import tadlog

    seconds, _ = _clock(lambda: tadlog.load(kb_dir, use_cache=False))
    return {"load": seconds, "mib": _mib()}


def quotes(kb_dir: str, sources: str) -> dict:
    """Quote verification alone (against the generated seed copies), measured apart from loading."""
    from tadlog.language.parse import parse_kb
    from tadlog.language.validate import verify_quotes

    model, _ = parse_kb(Path(kb_dir))
    seconds, found = _clock(lambda: verify_quotes(model, Path(sources)))
    errors = [d for d in found if d.severity == "error"]
    return {"quotes": seconds, "quote_errors": len(errors)}


def cached(kb_dir: str, sources: str) -> dict:
    """A fresh process with a filled cache: load, first why-not, first sites-for; peak memory."""
    import tadlog

    out = {}
    out["cached_load"], kb = _clock(lambda: tadlog.load(kb_dir))
    out["why_not"], _ = _clock(lambda: kb.ask(WHY_NOT).to_text())
    out["sites"], _ = _clock(lambda: kb.ask(SITES).to_text())
    out["mib"] = _mib()
    return out


def raw_engine(kb_dir: str, sources: str) -> dict:
    """tadlog's evaluation against raw pyDatalog and clingo on the same compiled program.

    tadlog evaluates with Python's cyclic collector paused (engine/evaluate.py); the raw
    pyDatalog baseline runs in the same pause, so the two differ only in how they use the engine."""
    import tadlog
    from tadlog import collector
    from tadlog.engine.evaluate import evaluate

    from baselines import clingo_evaluate, raw_pydatalog

    kb = tadlog.load(kb_dir)
    program = _facts_in_memory(kb.program)
    out = {}
    out["ours"], ours = _clock(lambda: evaluate(program))
    with collector.paused():
        out["raw"], raw = _clock(lambda: raw_pydatalog(program))
    out["raw_tuples"] = sum(len(v) for v in raw.values())
    out["our_tuples"] = sum(len(ours.tuples(p)) for p in raw)
    clingo = clingo_evaluate(program)
    if clingo is not None:
        out["clingo"], out["clingo_tuples"] = clingo
    return out


def _facts_in_memory(program):
    """``program`` with its facts decoded from the cache entry before any evaluation is timed.

    The three evaluations compared must do the same work. clingo's input is the exported text,
    written before its clock starts, and writing it decodes every fact; a cached program decodes
    its facts on first use. Left lazy, tadlog's and raw pyDatalog's clocks would count the
    decoding (loading work, measured as the cached load) and clingo's would not."""
    program.facts  # what raw pyDatalog and the ASP export read
    for name, _ in program.arities:
        program.facts_of(name)  # what tadlog's evaluation reads, predicate by predicate
    return program


def warm(questions_file: str, repeats: str) -> dict:
    """First asking of every question, each in a fresh knowledge-base object; then repeats."""
    import tadlog

    questions = json.loads(Path(questions_file).read_text(encoding="utf-8"))
    tadlog.load().ask(WHY_NOT)  # modules imported, caches filled: a warm process
    first, repeat, loads = [], [], []
    for question in questions:
        seconds, kb = _clock(lambda: tadlog.load())
        loads.append(seconds)
        first.append(_ask(kb, question))
        repeat.append(statistics.median(_ask(kb, question) for _ in range(int(repeats))))
    slowest = sorted(zip(first, questions), reverse=True)[:5]
    return {"first": first, "repeat": repeat, "load": loads,
            "slowest": [(round(s * 1000, 1), q) for s, q in slowest]}


# ---- profiles: why a goal is not met (run after the measurements, never timed) ----------------
def _profile(fn, top: int = 22) -> str:
    """``fn()`` under cProfile: its heaviest functions by cumulative time, as pstats prints them."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(fn)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).strip_dirs().sort_stats("cumulative").print_stats(top)
    lines = text.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip().startswith("ncalls")), 0)
    return "\n".join(lines[start:])


def profile_cached(kb_dir: str, sources: str) -> dict:
    """The cached load and the first why-not after it, profiled (a filled cache, a fresh process)."""
    import tadlog

    holder = {}
    out = {"cached_load": _profile(lambda: holder.setdefault("kb", tadlog.load(kb_dir)))}
    out["why_not"] = _profile(lambda: holder["kb"].ask(WHY_NOT).to_text())
    return out


def profile_uncached(kb_dir: str, sources: str) -> dict:
    """An uncached load (parse and validate), profiled."""
    import tadlog

    return {"load": _profile(lambda: tadlog.load(kb_dir, use_cache=False))}


def profile_evaluate(kb_dir: str, sources: str) -> dict:
    """Evaluation from scratch, profiled (pyDatalog's own work shows under evaluate and ask)."""
    import tadlog
    from tadlog.engine.evaluate import evaluate

    program = _facts_in_memory(tadlog.load(kb_dir).program)
    return {"evaluate": _profile(lambda: evaluate(program))}


def profile_first(questions_file: str, repeats: str) -> dict:
    """The first askings of the given questions (each in a fresh knowledge-base object), profiled together."""
    import tadlog

    questions = json.loads(Path(questions_file).read_text(encoding="utf-8"))
    tadlog.load().ask(WHY_NOT)

    def first_askings():
        for question in questions:
            _ask(tadlog.load(), question)
    return {"first": _profile(first_askings)}


def _ask(kb, question: str) -> float:
    import tadlog

    start = time.perf_counter()
    try:
        kb.ask(question).to_text()
    except tadlog.TadlogError:
        pass
    return time.perf_counter() - start


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    stage, *args = sys.argv[1:]
    result = {"load_stages": load_stages, "uncached_load": uncached_load, "quotes": quotes, "cached": cached,
              "raw_engine": raw_engine, "warm": warm, "profile_cached": profile_cached,
              "profile_evaluate": profile_evaluate, "profile_uncached": profile_uncached, "profile_first": profile_first}[stage](*args)
    sys.stdout.write("\n" + json.dumps(result) + "\n")
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown of a large heap: not part of any figure
