"""Issue 9's examples through the installed CLI, each timed (the issue asks for 2 s each).

Run by ``python tests/fuzz/run.py --examples``; tests/test_reliability.py checks each one's
outcome. Prints one line per example: seconds, exit status, and the codes reported.
"""
from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from fuzz import malformed

SEEDS = Path(os.environ.get("TADLOG_SOURCES") or Path(__file__).resolve().parents[3] / "shared" / "seeds")


def _run(args, stdin=None, env=None):
    script = shutil.which("tadlog")
    base = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    base.update(env or {})
    start = time.perf_counter()
    result = subprocess.run([script, *args], input=stdin, capture_output=True, text=True, env=base,
                            timeout=300, errors="replace")
    return time.perf_counter() - start, result


def main() -> int:
    tmp = Path(tempfile.mkdtemp())
    recipes = malformed.recipes(SEEDS, random.Random(0))

    def kb(name):
        return str(malformed.write(tmp / name, recipes[name]()))

    cases = [
        ("? design_feature(_, _).", ["ask", "? design_feature(_, _)."]),
        ("two '_' in two literals", ["ask", "? site_success_figure(S, _), recommended_for(_, I)."]),
        ("why buccal palatal", ["ask", "why buccal palatal"]),
        ("5000-digit number in a query", ["ask", f"? site_success_percent(S, {'9' * 5000})."]),
        ("400-digit fact (check)", ["check", kb("huge_int_fact"), "--no-quotes"]),
        ("400-digit fact (load)", ["ask", "--kb", kb("huge_int_fact") + "", "why midpalate?"]),
        ("latin-1 .tad", ["check", kb("latin1_tad"), "--no-quotes"]),
        ("binary .tad", ["check", kb("binary_tad"), "--no-quotes"]),
        ("binary seed text", ["check", kb("seed_binary"), "--sources", "{sources:seed_binary}"]),
        ("5000-literal rule (check)", ["check", kb("rule_5000_literals"), "--no-quotes"]),
        ("5000-literal rule (load)", ["ask", "--kb", str(tmp / "rule_5000_literals"), "why midpalate?"]),
        ("smoker x50", ["ask", "contraindications for " + " ".join(["smoker"] * 50)]),
        ("smoker x200", ["ask", "contraindications for " + " ".join(["smoker"] * 200)]),
        ("10 KB question", ["ask", "why not infrazygomatic for " + "adult " * 1700]),
        ("typo at the end of 50 KB", ["check", kb("typo_end_50k"), "--no-quotes"]),
        ("1 MB file", ["check", kb("typo_end_1m"), "--no-quotes"]),
        ("1,000 chained rules", ["ask", "--kb", kb("chained_1000"), "? c999(X)."]),
        ("10,000 right-recursive edges", ["ask", "--kb", kb("right_recursive_10000"), "? reached(n10000)."]),
        ("raw query past the budget (TADLOG_BUDGET=1)",
         ["ask", "? " + ", ".join(f"cause_of(A{i}, B{i})" for i in range(6)) + "."], None, {"TADLOG_BUDGET": "1"}),
        ('file "../../../../etc/passwd"', ["check", kb("source_dotdot"), "--sources", "{sources:source_dotdot}"]),
        ('file "/proc/self/environ"', ["check", kb("source_absolute"), "--sources", "{sources:source_absolute}"]),
        ("symlinked .tad", ["check", kb("tad_symlink_out"), "--no-quotes"]),
        ("OSC sequence in a label", ["ask", "--kb", kb("osc_label"), "why midpalate?"]),
        ("ask --file with a bad line", ["ask", "--file", "-"], "why midpalate?\n? nope(X).\nwhy not infrazygomatic?\n"),
    ]
    print(f"{'example':46s} {'seconds':>7s} exit  codes")
    for case in cases:
        label, args, stdin, env = (*case, None, None)[:4]
        args = [str(malformed.sources_for(tmp / a.split(":")[1].rstrip("}"), SEEDS)) if a.startswith("{sources:")
                else a for a in args]
        seconds, result = _run(args, stdin, env)
        found = sorted(set(re.findall(r"\[([A-Z]\d{3})\]", result.stdout + result.stderr)))
        escapes = " ESCAPE PRINTED" if "\x1b]" in result.stdout + result.stderr else ""
        print(f"{label[:46]:46s} {seconds:7.2f} {result.returncode:>4}  {','.join(found)[:40]}{escapes}")
    return 0
