"""Score a question set against the engine: understood, and carrying its key points.

    python benchmarks/score_questions.py                      # tests/devset/questions.json
    python benchmarks/score_questions.py --failures           # and every miss, with its reading
    python benchmarks/score_questions.py --json               # the figures as JSON
    python benchmarks/score_questions.py --min-understood 0.95 --min-keys 0.90   # exit 1 below

The knowledge base is loaded once (``tadlog.load()``, the bundled one, or ``--kb PATH``) and
every question asked with ``kb.ask``. A question is *understood* when an answer is produced with
no ``TadlogError`` and its reading line (``answer.reading``) has the item's intent and every one
of the item's ``names`` (for ``"intent": "error"`` items: when a ``TadlogError`` is raised), and it
*carries its key points* when every key point appears in the default text view
(``answer.to_text()``), compared case-insensitively with whitespace, dashes and quotes folded.

This is a measurement: it exits 0 whatever the score, unless ``--min-understood`` or
``--min-keys`` is given and the score is below it (exit 1). Standard library and tadlog only.
The shared logic lives in ``tests/devset/devset.py``, which the tests of the set also import;
it is a plain module beside the set rather than part of the tadlog package (the engine must not
depend on its own measurement), so this script puts that folder on ``sys.path``.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "devset"))
if (ROOT / "engine" / "tadlog").is_dir() and "tadlog" not in sys.modules:
    # Prefer the checkout's engine when run from a checkout (an installed tadlog otherwise).
    sys.path.insert(1, str(ROOT / "engine"))

import devset  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("set", nargs="?", default=str(devset.DEFAULT_SET), help="question set (JSON)")
    parser.add_argument("--kb", default=None, help="knowledge-base folder (default: the bundled one)")
    parser.add_argument("--failures", action="store_true", help="list every missed question")
    parser.add_argument("--json", action="store_true", help="print the figures (and misses) as JSON")
    parser.add_argument("--full", action="store_true",
                        help="diagnostic: look for the key points in the --full view instead")
    parser.add_argument("--min-understood", type=float, default=None, metavar="RATE")
    parser.add_argument("--min-keys", type=float, default=None, metavar="RATE")
    args = parser.parse_args(argv)

    import tadlog

    items = devset.load_set(Path(args.set))
    started = time.perf_counter()
    kb = tadlog.load(args.kb)
    kb.interpretation  # evaluate once, so the per-question times are warm answers
    load_s = time.perf_counter() - started
    results = devset.score(kb, items, full=args.full)
    figures = devset.summary(results)
    figures["set"] = args.set
    figures["view"] = "full" if args.full else "default"
    figures["load_s"] = round(load_s, 2)
    misses = [r for r in results if not (r.understood and r.keys_ok)]

    if args.json:
        figures["failures"] = [
            {"id": r.id, "question": r.item["question"], "intent": r.item.get("intent"),
             "understood": r.understood, "missing": r.missing, "first_line": r.first_line,
             "reading": r.reading, "error": r.error} for r in misses]
        print(json.dumps(figures, indent=2, ensure_ascii=False))
    else:
        print(report(figures))
        if args.failures:
            print()
            print(f"Missed ({len(misses)})")
            for r in misses:
                print(failure(r))

    below = []
    if args.min_understood is not None and figures["understood_rate"] < args.min_understood:
        below.append(f"understood {figures['understood_rate']:.1%} < {args.min_understood:.0%}")
    if args.min_keys is not None and figures["keys_rate"] < args.min_keys:
        below.append(f"key points {figures['keys_rate']:.1%} < {args.min_keys:.0%}")
    if below:
        print("below threshold: " + "; ".join(below), file=sys.stderr)
        return 1
    return 0


def report(f: dict) -> str:
    n = f["total"]
    lines = [
        f"Question set {f['set']}: {n} questions",
        f"  understood            {f['understood']:4d} / {n}  {f['understood_rate']:6.1%}",
        f"  all key points shown  {f['keys']:4d} / {n}  {f['keys_rate']:6.1%}   ({f.get('view', 'default')} view)",
    ]
    if "median_ms" in f:
        lines.append(f"  answer time           median {f['median_ms']} ms, p95 {f['p95_ms']} ms "
                     f"(load {f['load_s']} s)")
    lines.append("")
    lines.append(f"  {'intent':<12} {'n':>4} {'understood':>11} {'key points':>11}")
    for intent, b in f["by_intent"].items():
        lines.append(f"  {intent:<12} {b['total']:>4} {b['understood']:>5} {b['understood_rate']:>5.0%}"
                     f" {b['keys']:>5} {b['keys_rate']:>5.0%}")
    return "\n".join(lines)


def failure(r: "devset.Result") -> str:
    head = f"- [{r.id}] ({r.item.get('intent')}) {r.item['question']}"
    out = [head]
    if r.reading:
        out.append(f"    reading: {r.reading}")
    if not r.understood:
        expected = "a TadlogError" if r.item.get("intent") == "error" else "an answer"
        why = r.error if r.error and r.error != r.first_line else f"expected {expected}"
        out.append(f"    not understood ({why}): {r.first_line}")
    if r.missing:
        out.append(f"    missing: {'; '.join(repr(k) for k in r.missing)}")
        out.append(f"    answer: {r.first_line}")
    return "\n".join(out)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # piped into head: the reader has what it wanted
        sys.stderr.close()
        sys.exit(0)
