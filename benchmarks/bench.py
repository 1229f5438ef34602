"""tadlog benchmark: prints figures, each as a ratio against a baseline measured in the same run.

  python benchmarks/bench.py            # all sections
  python benchmarks/bench.py --quick    # fewer repetitions

1. cold `tadlog ask "why not infrazygomatic?"` against `python -c "import pyDatalog.pyDatalog,
   lark, networkx"`, alternated (median ratio; goal <= 1.5);
2. warm answer latency in one process (and the fixed question set benchmarks/questions.txt);
3. compile + evaluation of synthetic knowledge bases at 1x, 10x, 100x the bundled size against raw
   pyDatalog (pyEngine) on the same clauses (goal: overhead <= 1.3x, growth close to linear).
Timing is never asserted by tests: machines are noisy; read the ratios.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "engine"))


def _cli_command() -> tuple[list[str], dict]:
    """This checkout's command (an installed `tadlog` may be an older build): python -m tadlog."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "engine"))
    return [sys.executable, "-m", "tadlog"], env


def _time(cmd, env) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def cold(repeats: int) -> None:
    cli, env = _cli_command()
    ask = cli + ["ask", "why not infrazygomatic?"]
    baseline = [sys.executable, "-c", "import pyDatalog.pyDatalog, lark, networkx"]
    cache = tempfile.mkdtemp(prefix="tadlog-bench-cache-")
    env_cached = dict(env, TADLOG_CACHE_DIR=cache)
    env_nocache = dict(env, TADLOG_NO_CACHE="1")
    _time(ask, env_cached)  # fill the parse cache once, as a user's first run does
    ours, ours_nocache, base = [], [], []
    for _ in range(repeats):
        base.append(_time(baseline, env))
        ours.append(_time(ask, env_cached))
        ours_nocache.append(_time(ask, env_nocache))
    b = statistics.median(base)
    print("1. cold start (median of %d, alternated; %s)" % (repeats, " ".join(cli)))
    print(f"   baseline import pyDatalog+lark+networkx : {b * 1000:8.1f} ms")
    print(f"   tadlog ask, parse cache warm            : {statistics.median(ours) * 1000:8.1f} ms"
          f"   ratio {statistics.median(ours) / b:5.2f}  (goal <= 1.5)")
    print(f"   tadlog ask, no cache (parse everything) : {statistics.median(ours_nocache) * 1000:8.1f} ms"
          f"   ratio {statistics.median(ours_nocache) / b:5.2f}")
    shutil.rmtree(cache, ignore_errors=True)


def warm(repeats: int) -> None:
    import tadlog

    kb = tadlog.load(use_cache=False)
    kb.ask("why not infrazygomatic?")
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        kb.ask("why not infrazygomatic?").to_text()
        samples.append(time.perf_counter() - start)
    print("2. warm answers (one process)")
    print(f"   why not infrazygomatic?                 : {statistics.median(samples) * 1000:8.1f} ms (median of {repeats})")
    questions_file = ROOT / "benchmarks" / "questions.txt"
    if questions_file.exists():
        questions = [q.strip() for q in questions_file.read_text().splitlines() if q.strip() and not q.startswith("#")]
        per_question = []
        for q in questions:
            start = time.perf_counter()
            try:
                kb.ask(q).to_text()
            except tadlog.TadlogError:
                pass
            per_question.append(time.perf_counter() - start)
        print(f"   fixed question set ({len(questions)} questions)      : total {sum(per_question) * 1000:8.1f} ms, "
              f"median {statistics.median(per_question) * 1000:.1f} ms, max {max(per_question) * 1000:.1f} ms")


def _replicate(model, copies: int):
    """``copies`` renamed copies of every predicate, fact and rule: same shape, k times the size."""
    from tadlog.language.model import Atom, Negation

    def rename(atom, k):
        return Atom(f"{atom.predicate}_c{k}", atom.args, atom.location)

    facts, rules, preds = [], [], []
    for k in range(copies):
        preds += [replace(p, name=f"{p.name}_c{k}") for p in model.predicates]
        facts += [replace(f, atom=rename(f.atom, k)) for f in model.facts]
        for r in model.rules:
            body = tuple(rename(l, k) if isinstance(l, Atom) else Negation(rename(l.atom, k))
                         if isinstance(l, Negation) else l for l in r.body)
            rules.append(replace(r, label=f"{r.label}_c{k}", head=rename(r.head, k), body=body))
    return replace(model, predicates=tuple(preds), facts=tuple(facts), rules=tuple(rules))


def _raw_pydatalog(model) -> float:
    """The same clauses straight into pyEngine, then every predicate asked: the baseline."""
    from pyDatalog import Logic, pyEngine

    from tadlog.engine.compile import PYD_OPERATOR
    from tadlog.language.model import Atom, Negation, Var

    start = time.perf_counter()
    Logic()
    for p in model.predicates:
        pyEngine.insert(pyEngine.Pred(p.name, p.arity))
    for f in model.facts:
        pyEngine.assert_(pyEngine.Clause(pyEngine.Literal(f.atom.predicate, [pyEngine.Const(a.value) for a in f.atom.args]), []))

    def term(t, names):
        return names.setdefault(t.name, pyEngine.Var(t.name)) if isinstance(t, Var) else pyEngine.Const(t.value)

    for r in model.rules:
        names: dict = {}
        positives = [l for l in r.body if isinstance(l, Atom)]
        others = [l for l in r.body if not isinstance(l, Atom)]
        body = [pyEngine.Literal(l.predicate, [term(a, names) for a in l.args]) for l in positives]
        for l in others:
            if isinstance(l, Negation):
                body.append(pyEngine.Literal("~" + l.atom.predicate, [term(a, names) for a in l.atom.args]))
            else:
                body.append(pyEngine.Literal(PYD_OPERATOR[l.op], [term(l.left, names), term(l.right, names)]))
        pyEngine.assert_(pyEngine.Clause(pyEngine.Literal(r.head.predicate, [term(a, names) for a in r.head.args]), body))
    for p in model.predicates:
        pyEngine.Literal(p.name, [pyEngine.Var(f"V{i}") for i in range(p.arity)]).ask()
    return time.perf_counter() - start


def _ours(model) -> float:
    from tadlog.engine.compile import compile_model
    from tadlog.engine.evaluate import evaluate

    start = time.perf_counter()
    evaluate(compile_model(model))
    return time.perf_counter() - start


def scale(repeats: int, factors=(1, 10, 100)) -> None:
    import tadlog

    base = tadlog.load(use_cache=False).model
    print("3. compile + evaluate synthetic knowledge bases (median of %d, alternated)" % repeats)
    print(f"   bundled size: {len(base.facts)} facts, {len(base.rules)} rules, {len(base.predicates)} predicates")
    first = None
    for k in factors:
        model = _replicate(base, k)
        ours, raw = [], []
        for _ in range(repeats):
            raw.append(_raw_pydatalog(model))
            ours.append(_ours(model))
        o, r = statistics.median(ours), statistics.median(raw)
        first = first or o
        print(f"   {k:>3}x ({len(model.facts):>6} facts, {len(model.rules):>5} rules): tadlog {o * 1000:9.1f} ms, "
              f"raw pyDatalog {r * 1000:9.1f} ms, overhead {o / r:5.2f}x (goal <= 1.3), growth {o / first:6.1f}x")


def parse_scale(repeats: int, factors=(1, 10)) -> None:
    """Parse + validate of the knowledge-base text itself, for the record."""
    from tadlog.language.parse import parse_kb
    from tadlog.language.validate import validate

    kb_dir = ROOT / "kb"
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(kb_dir.rglob("*.tad")))
    print("4. parse + validate of knowledge-base text (no cache)")
    for k in factors:
        with tempfile.TemporaryDirectory() as folder:
            for i in range(k):
                renamed = text if i == 0 else text  # same text repeated: duplicates are reported, not fatal
                (Path(folder) / f"copy{i}.tad").write_text(renamed, encoding="utf-8")
            samples = []
            for _ in range(repeats):
                start = time.perf_counter()
                model, _ = parse_kb(folder, strict=False)
                validate(model)
                samples.append(time.perf_counter() - start)
            print(f"   {k:>3}x ({len(model.statements):>6} statements): {statistics.median(samples) * 1000:9.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 3 if args.quick else 7
    cold(n)
    warm(n * 3)
    scale(3 if not args.quick else 1)
    parse_scale(3 if not args.quick else 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
