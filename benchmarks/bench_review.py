"""How long `tadlog review` takes against a cold load of the bundled knowledge base.

    python benchmarks/bench_review.py [--runs 3]

Prints the median of fresh processes for:
  cold load       python -c "import tadlog; tadlog.load(kb, use_cache=False)"  (parse + validate)
  review          tadlog review BASE HEAD --no-quotes, where BASE is the bundled knowledge base
                  without one real statement (hb_izc_not_recommended) and the facts citing it,
                  and HEAD is the bundled knowledge base: a one-statement change
and the ratio review / cold load (the target is about 2). For context it also prints the
cold load with evaluation and the review with quotes verified against the seed texts.
Answering the standard questions (kb/questions.txt) on both sides dominates a review.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENGINE = ROOT / "engine"
KB = ROOT / "kb"
SEEDS = Path(os.environ.get("TADLOG_SOURCES") or ROOT.parent / "shared" / "seeds")
STATEMENT = "hb_izc_not_recommended"

sys.path.insert(0, str(ENGINE))
sys.path.insert(0, str(ROOT / "examples" / "curator"))


def env() -> dict:
    out = dict(os.environ, PYTHONPATH=str(ENGINE), TADLOG_NO_CACHE="1")
    out.pop("TADLOG_DEBUG", None)
    return out


def timed(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, env=env(), capture_output=True, text=True, timeout=900)
    return time.perf_counter() - start


def median(args: list[str], cwd: Path, runs: int) -> float:
    return statistics.median(timed(args, cwd) for _ in range(runs))


def one_statement_change(into: Path) -> None:
    """into/head/kb = the bundled kb; into/base/kb = the same without one statement and its facts."""
    from make_example import _declaration_starts, _remove
    from tadlog.language.parse import parse_kb

    shutil.copytree(KB, into / "head" / "kb")
    base = into / "base" / "kb"
    shutil.copytree(KB, base)
    model, _ = parse_kb(base, strict=False)
    doomed = [s for s in model.statements if s.id == STATEMENT]
    if not doomed:
        raise SystemExit(f"bench_review: statement {STATEMENT} is not in the knowledge base")
    doomed += [f for f in model.facts if STATEMENT in f.cites]
    doomed += [r for r in model.rules if STATEMENT in r.cites]
    doomed += [c for c in model.conflicts if STATEMENT in c.statements]
    starts = _declaration_starts(model)
    by_file: dict = {}
    for decl in doomed:
        by_file.setdefault(decl.location.path, []).append(decl)
    for path, decls in by_file.items():
        _remove(Path(path), decls, starts[path])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="benchmark tadlog review against a cold load")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    py = sys.executable
    load = [py, "-c", "import tadlog, sys\ntry:\n    tadlog.load(sys.argv[1], use_cache=False)\n"
                      "except tadlog.TadlogError:\n    pass", str(KB)]
    load_eval = [py, "-c", "import tadlog, sys\ntry:\n    tadlog.load(sys.argv[1], use_cache=False).interpretation\n"
                           "except tadlog.TadlogError:\n    pass", str(KB)]
    with tempfile.TemporaryDirectory(prefix="tadlog-bench-") as tmp:
        tmp = Path(tmp)
        one_statement_change(tmp)
        review = [py, "-m", "tadlog", "review", "base/kb", "head/kb", "--no-quotes"]
        review_quotes = [py, "-m", "tadlog", "review", "base/kb", "head/kb", "--sources", str(SEEDS)]
        cold = median(load, ROOT, args.runs)
        cold_eval = median(load_eval, ROOT, args.runs)
        rev = median(review, tmp, args.runs)
        rev_quotes = median(review_quotes, tmp, args.runs)
    print(f"cold load (parse + validate), median of {args.runs}: {cold:.2f} s")
    print(f"cold load + evaluation, median of {args.runs}:      {cold_eval:.2f} s")
    print(f"review, one-statement change, median of {args.runs}: {rev:.2f} s")
    print(f"review with quotes verified, median of {args.runs}:  {rev_quotes:.2f} s")
    print(f"ratio review / cold load: {rev / cold:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
