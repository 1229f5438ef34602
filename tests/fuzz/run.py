"""The reliability fuzz harness: generated questions, CLI runs and malformed knowledge bases.

    python tests/fuzz/run.py                       # the full run: 100,000 questions, 200 CLI runs, every KB
    python tests/fuzz/run.py --questions 2000 --cli 20 --seed 3
    python tests/fuzz/run.py --examples            # issue 9's examples through the CLI, with their times

It prints the counts the issue asks for, each of which must be 0: exceptions that are not a
TadlogError, questions over 2 s, and CLI exits other than 0, 1 or 2. tests/test_fuzz.py runs a
small seeded run of it as part of the suite.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SLOW = 2.0  # seconds: a question slower than this is counted
CONTROL = ["\x1b", "\x1b]0;pwned\x07", "\x1b[2J", "\x00", "\x07", "\x9b", "\u202e", "\r", "\t", "\x7f", "\x1b[31m"]
WORDS = ["why", "not", "for", "with", "in", "of", "and", "or", "is", "a", "the", "sites", "risks", "compare",
         "what", "sources", "contraindications", "indications", "direct", "indirect", "anchorage", "?", ",",
         "smoker", "adult", "adolescent", "12", "year", "old", "-1", "1e9", "0.5", "9" * 30, "IZC", "_", "X"]


@dataclass
class Tally:
    """What a run found; ``failures`` keeps a sample of each kind for the report."""

    counts: Counter = field(default_factory=Counter)
    failures: dict = field(default_factory=dict)

    def fail(self, kind: str, detail: str) -> None:
        self.counts[kind] += 1
        self.failures.setdefault(kind, []).append(detail[:300])


# ---- generating questions ------------------------------------------------------------------
def seed_questions() -> list[str]:
    out = []
    for path in [ROOT / "kb" / "questions.txt", ROOT / "benchmarks" / "questions.txt"]:
        if path.is_file():
            out += [l.strip() for l in path.read_text(encoding="utf-8").splitlines() if l.strip() and l[0] != "#"]
    for path in sorted((ROOT / "tests" / "golden" / "questions").glob("*.txt")):
        first = path.read_text(encoding="utf-8").splitlines()[:1]
        if first and first[0].startswith("Q: "):
            out.append(first[0][3:])
    return list(dict.fromkeys(out)) or ["why not infrazygomatic?"]


def _mutate(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(6)
        at = rng.randrange(len(chars) + 1)
        if op == 0 and chars:
            del chars[min(at, len(chars) - 1)]
        elif op == 1:
            chars.insert(at, rng.choice("abcdefghijklmnopqrstuvwxyz ?,.()_-'\"0123456789é"))
        elif op == 2 and chars:
            chars[min(at, len(chars) - 1)] = chr(rng.randrange(32, 0x2FFF))
        elif op == 3:
            words = "".join(chars).split(" ")
            i = rng.randrange(len(words))
            words.insert(rng.randrange(len(words) + 1), rng.choice(WORDS) if rng.random() < 0.7 else words[i])
            chars = list(" ".join(words))
        elif op == 4:
            chars = list("".join(chars).upper() if rng.random() < 0.5 else "".join(chars).lower())
        else:
            words = "".join(chars).split(" ")
            rng.shuffle(words)
            chars = list(" ".join(words))
    return "".join(chars)


def _raw_query(rng: random.Random, predicates: list[tuple[str, int]], values: list) -> str:
    literals = []
    variables = ["X", "Y", "Z", "S", "P", "_", "_", "_anon1", "Site"]
    for _ in range(rng.randint(1, 5)):
        if rng.random() < 0.85:
            name, arity = rng.choice(predicates)
        else:
            name, arity = rng.choice(["nope", "x", "patient", "recommended", "Upper", "a.b"]), rng.randint(0, 4)
        arity = max(0, arity + (rng.choice([-1, 1]) if rng.random() < 0.1 else 0))
        args = []
        for _ in range(arity):
            roll = rng.random()
            if roll < 0.5:
                args.append(rng.choice(variables))
            elif roll < 0.8:
                value = rng.choice(values)
                args.append(value if isinstance(value, str) else repr(value))
            else:
                args.append(rng.choice(['"text"', "-3", "1.5", "9" * rng.randint(1, 40), "1e5", "'q'", "__import__('os')"]))
        atom = f"{name}({', '.join(args)})"
        literals.append(("not " if rng.random() < 0.15 else "") + atom)
    if rng.random() < 0.4:
        literals.append(f"{rng.choice(variables)} {rng.choice(['<', '<=', '>', '>=', '=', '!=', '=='])} "
                        f"{rng.choice(['90', 'X', 'n0', '1.5', '-7'])}")
    return "? " + ", ".join(literals) + rng.choice([".", "", " .", ".."])


def generate(rng: random.Random, seeds: list[str], predicates, values):
    """One generated question, and its family (for the report)."""
    roll = rng.random()
    base = rng.choice(seeds)
    if roll < 0.35:
        return "mutation", _mutate(rng, base)
    if roll < 0.50:
        other = rng.choice(seeds)
        return "splice", base[: rng.randrange(len(base) + 1)] + " " + other[rng.randrange(len(other) + 1):]
    if roll < 0.58:
        word = rng.choice(WORDS + base.split())
        return "long", base.rstrip("?") + " " + " ".join([word] * rng.choice([50, 200, 1000, 3000]))
    if roll < 0.83:
        return "raw", _raw_query(rng, predicates, values)
    if roll < 0.95:
        at = rng.randrange(len(base) + 1)
        return "control", base[:at] + rng.choice(CONTROL) + base[at:]
    return "random", "".join(chr(rng.randrange(1, 0x3000)) for _ in range(rng.randint(0, 80)))


# ---- running -----------------------------------------------------------------------------------
def run_questions(count: int, seed: int, tally: Tally, kb=None) -> None:
    import tadlog

    kb = kb or tadlog.load(use_cache=False)
    kb.derivations.height  # the knowledge base is evaluated before the clock starts
    predicates = [(p.name, p.arity) for p in kb.model.predicates]
    values = sorted({v for rows in kb.interpretation.relations.values() for row in rows for v in row}, key=repr)
    rng = random.Random(seed)
    seeds = seed_questions()
    for _ in range(count):
        family, question = generate(rng, seeds, predicates, values)
        tally.counts["questions"] += 1
        tally.counts["family " + family] += 1
        start = time.perf_counter()
        try:
            answer = kb.ask(question)
            answer.to_text(), answer.to_json()
            tally.counts["answered"] += 1
        except tadlog.limits.BudgetExceeded:
            tally.counts["budget stops"] += 1
        except tadlog.TadlogError:
            tally.counts["clear errors"] += 1
        except Exception as exc:  # what the harness looks for
            tally.fail("non-TadlogError exceptions", f"{type(exc).__name__}: {exc} <- {question!r}")
        elapsed = time.perf_counter() - start
        if elapsed > SLOW:
            tally.fail("questions over 2 s", f"{elapsed:.1f}s <- {question[:200]!r}")


def _cli(args: list[str], tally: Tally, label: str, stdin: str | None = None) -> None:
    script = shutil.which("tadlog") or sys.exit("tadlog is not installed (pip install .)")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    start = time.perf_counter()
    try:
        result = subprocess.run([script, *args], input=stdin, capture_output=True, text=True, env=env,
                                timeout=120, errors="replace")
    except subprocess.TimeoutExpired:
        tally.fail("CLI exits other than 0/1/2", f"hang (120 s) <- {label}")
        return
    tally.counts["CLI runs"] += 1
    if result.returncode not in (0, 1, 2) or "Traceback" in result.stderr:
        tally.fail("CLI exits other than 0/1/2", f"exit {result.returncode} <- {label}: {result.stderr[-300:]}")
    if "\x1b]" in result.stdout + result.stderr:
        tally.fail("escape sequences printed", label)
    tally.counts["CLI seconds"] += round(time.perf_counter() - start, 3)


def run_cli_sample(count: int, seed: int, tally: Tally) -> None:
    rng = random.Random(seed + 1)
    seeds = seed_questions()
    predicates = [("site_success_percent", 2), ("risk", 2), ("recommended", 1)]
    questions = [generate(rng, seeds, predicates, ["midpalate", 90])[1] for _ in range(count)]
    for question in questions[: max(1, count // 2)]:
        _cli(["ask", question.replace("\x00", "")], tally, f"ask {question[:80]!r}")
    batch = "\n".join(q.replace("\n", " ") for q in questions)
    _cli(["ask", "--file", "-"], tally, "ask --file (the whole sample)", stdin=batch)


def run_kbs(limit: int, seed: int, tally: Tally, names: list[str] | None = None) -> None:
    import tadlog
    from tadlog.curate.lint import check_kb

    sys.path.insert(0, str(HERE.parent))
    from fuzz import malformed

    seeds = Path(os.environ.get("TADLOG_SOURCES") or ROOT.parent / "shared" / "seeds")
    recipes = malformed.recipes(seeds, random.Random(seed))
    chosen = names or list(recipes)[:limit]
    with tempfile.TemporaryDirectory() as tmp:
        for name in chosen:
            folder = malformed.write(Path(tmp) / name, recipes[name]())
            sources = malformed.sources_for(folder, seeds)
            tally.counts["knowledge bases"] += 1
            for stage in ("check", "load"):
                start = time.perf_counter()
                try:
                    if stage == "check":
                        check_kb(folder, sources=sources, check_quotes=True)
                    else:
                        kb = tadlog.load(folder, use_cache=False)
                        kb.derivations.height
                        kb.ask("why midpalate?")
                except tadlog.TadlogError:
                    pass
                except Exception as exc:
                    tally.fail("non-TadlogError exceptions", f"{type(exc).__name__}: {exc} <- {stage} {name}")
                tally.counts[f"KB {stage} seconds"] += round(time.perf_counter() - start, 3)
            _cli(["check", str(folder), "--sources", str(sources)], tally, f"check {name}")


def report(tally: Tally) -> int:
    must_be_zero = ["non-TadlogError exceptions", "questions over 2 s", "CLI exits other than 0/1/2",
                    "escape sequences printed"]
    for key in sorted(tally.counts):
        if key not in must_be_zero:
            print(f"{key:32s} {tally.counts[key]:>10,}" if isinstance(tally.counts[key], int)
                  else f"{key:32s} {tally.counts[key]:>10.1f}")
    for key in must_be_zero:
        print(f"{key:32s} {tally.counts[key]:>10,}")
        for detail in tally.failures.get(key, [])[:10]:
            print("    " + detail.encode("unicode_escape").decode("ascii"))
    return 1 if any(tally.counts[k] for k in must_be_zero) else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--cli", type=int, default=200)
    parser.add_argument("--kbs", type=int, default=1000, help="how many malformed knowledge bases (all by default)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--examples", action="store_true", help="time issue 9's examples through the CLI")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "engine")) if os.environ.get("TADLOG_FUZZ_CHECKOUT") else None
    if args.examples:
        from fuzz.examples import main as examples

        return examples()
    tally = Tally()
    started = time.perf_counter()
    run_kbs(args.kbs, args.seed, tally)
    run_cli_sample(args.cli, args.seed, tally)
    run_questions(args.questions, args.seed, tally)
    tally.counts["total seconds"] = round(time.perf_counter() - started, 1)
    return report(tally)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    sys.exit(main())
