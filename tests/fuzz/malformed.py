"""Malformed and hostile knowledge bases: each a folder of files written from a recipe.

Every recipe is something a careless or hostile curator could commit: broken syntax, bytes
that are not text, huge numbers, huge rules, long chains, files that point outside, links.
The fuzz harness runs each through ``check`` and ``load``; tests/test_reliability.py pins
the examples of issue 9.
"""
from __future__ import annotations

import os
import random
import shutil
from pathlib import Path
from typing import Callable

SOURCE = '''source hb title "Handbook" authors unknown year unknown venue unknown kind book
    file "003_65beaa31dcc65606.txt".
section hb "1.11" title "Perforation" lines 556-585.
statement izc_sinus from hb section "1.11" lines 572-576 kind finding evidence study
    quote "a study of infrazygomatic insertions showed that 78% penetrated the maxillary sinus at this site".
'''
BASE = SOURCE + '''predicate sinus_percent(site, percent: number) "{percent}% of {site} insertions enter the sinus".
predicate risky(site) "the {site} is risky".
predicate link(a, b) "{a} links to {b}".
predicate reach(a, b) "{a} reaches {b}".
term infrazygomatic_crest category site label "infrazygomatic crest" aliases "IZC".
term midpalate category site label "midpalate".
sinus_percent(infrazygomatic_crest, 78) cites izc_sinus.
risky(S) :- sinus_percent(S, P), P > 50 cites izc_sinus.
'''


def _nodes(n: int) -> str:
    return "".join(f'term n{i} category site label "node {i}".\n' for i in range(n))


def chained_rules(n: int) -> str:
    """n predicates, each defined from the one before: a proof n steps tall."""
    out = [BASE, _nodes(1)]
    out.append('predicate c0(a) "{a} is c0".\nc0(n0) cites izc_sinus.\n')
    for i in range(1, n):
        out.append(f'predicate c{i}(a) "{{a}} is c{i}".\nc{i}(X) :- c{i - 1}(X) cites izc_sinus.\n')
    return "".join(out)


def right_recursive_edges(n: int) -> dict[str, str]:
    """A chain of n edges walked by right recursion from n0 (n facts, proofs up to n tall),
    in files under the size limit."""
    main = BASE + 'predicate reached(a) "{a} is reached".\nreached(n0) cites izc_sinus.\n'
    main += "reached(Y) :- link(X, Y), reached(X) cites izc_sinus.\n"
    links = "".join(f"link(n{i}, n{i + 1}) cites izc_sinus.\n" for i in range(n))
    return {"main.tad": main, "terms.tad": _nodes(n + 1), "links.tad": links}


def long_rule(literals: int) -> str:
    body = ", ".join(["sinus_percent(S, P)"] * literals)
    return BASE + f"risky(S) :- {body} cites izc_sinus.\n"


def padding(size: int) -> str:
    """Valid declarations adding up to about ``size`` characters."""
    out, total, i = [], 0, 0
    while total < size:
        line = f'term pad{i} category site label "padding term number {i}".\n'
        out.append(line)
        total += len(line)
        i += 1
    return "".join(out)


# ---- recipes: name → files (path → bytes or text; ("symlink", target) for a link) ------------
def recipes(seeds: Path, rng: random.Random) -> dict[str, Callable[[], dict]]:
    """Every malformed knowledge base the harness knows, by name (≥ 50)."""
    out: dict[str, Callable[[], dict]] = {
        "huge_int_fact": lambda: {"main.tad": BASE + f"sinus_percent(midpalate, {'9' * 400}) cites izc_sinus.\n"},
        "huge_int_5000": lambda: {"main.tad": BASE + f"sinus_percent(midpalate, {'9' * 5000}) cites izc_sinus.\n"},
        "huge_float": lambda: {"main.tad": BASE + f"sinus_percent(midpalate, {'9' * 400}.5) cites izc_sinus.\n"},
        "huge_rule_constant": lambda: {"main.tad": BASE + f"risky(S) :- sinus_percent(S, P), P > {'9' * 4400} cites izc_sinus.\n"},
        "huge_line_range": lambda: {"main.tad": BASE.replace("lines 572-576", f"lines 572-{'9' * 5000}")},
        "latin1_tad": lambda: {"main.tad": (BASE + 'term caf category site label "caf\xe9".\n').encode("latin-1")},
        "binary_tad": lambda: {"main.tad": bytes(rng.randrange(256) for _ in range(4096))},
        "nul_tad": lambda: {"main.tad": BASE + "\x00\x00\x00\n"},
        "utf16_tad": lambda: {"main.tad": BASE.encode("utf-16")},
        "bom_tad": lambda: {"main.tad": "\ufeff" + BASE},
        "rule_5000_literals": lambda: {"main.tad": long_rule(5000)},
        "rule_65_literals": lambda: {"main.tad": long_rule(65)},
        "chained_1000": lambda: {"main.tad": chained_rules(1000)},
        "right_recursive_10000": lambda: right_recursive_edges(10000),
        "typo_end_50k": lambda: {"main.tad": BASE + padding(50_000) + "term oops category site label\n"},
        "typo_end_1m": lambda: {"main.tad": BASE + padding(1_000_000) + "term oops category site label\n"},
        "typos_everywhere": lambda: {"main.tad": "".join(
            line + ("\nterm broken(" if i % 7 == 0 else "") + "\n" for i, line in enumerate(padding(30_000).splitlines()))},
        "over_size": lambda: {"main.tad": BASE + padding(2_200_000)},
        "source_dotdot": lambda: {"main.tad": BASE.replace("003_65beaa31dcc65606.txt", "../../../../etc/passwd")},
        "source_absolute": lambda: {"main.tad": BASE.replace("003_65beaa31dcc65606.txt", "/proc/self/environ")},
        "source_home": lambda: {"main.tad": BASE.replace("003_65beaa31dcc65606.txt", "~/.bashrc")},
        "source_backslash": lambda: {"main.tad": BASE.replace("003_65beaa31dcc65606.txt", "..\\\\..\\\\etc\\\\passwd")},
        "tad_symlink_out": lambda: {"main.tad": BASE, "stolen.tad": ("symlink", "/etc/passwd")},
        "tad_symlink_in": lambda: {"real/main.tad": BASE, "alias.tad": ("symlink", "real/main.tad")},
        "tad_symlink_dangling": lambda: {"main.tad": BASE, "gone.tad": ("symlink", "nowhere.tad")},
        "dir_symlink_out": lambda: {"main.tad": BASE, "etc": ("symlink", "/etc")},
        "osc_label": lambda: {"main.tad": BASE.replace('label "midpalate"', 'label "mid\\u001b]0;pwned\\u0007palate"').replace(
            "\\u001b", "\x1b").replace("\\u0007", "\x07")},
        "esc_in_template": lambda: {"main.tad": BASE.replace("the {site} is risky", "the {site} is \x1b[2Jrisky")},
        "empty_folder": lambda: {},
        "only_comments": lambda: {"main.tad": "# nothing here\n"},
        "unterminated_string": lambda: {"main.tad": BASE + 'term x category site label "never closed\n'},
        "deep_nesting": lambda: {"main.tad": BASE + "risky(" * 5000 + "S" + ")" * 5000 + " :- risky(S) cites izc_sinus.\n"},
        "many_errors": lambda: {"main.tad": BASE + "risky(\n" * 2000},
        "negation_cycle": lambda: {"main.tad": BASE + "risky(S) :- sinus_percent(S, _), not risky(S) cites izc_sinus.\n"},
        "unsafe": lambda: {"main.tad": BASE + "risky(S) :- not sinus_percent(S, 3) cites izc_sinus.\n"},
        "type_clash": lambda: {"main.tad": BASE + "risky(S) :- sinus_percent(S, P), sinus_percent(P, S) cites izc_sinus.\n"},
        "undeclared": lambda: {"main.tad": BASE + "risky(S) :- nothing(S) cites izc_sinus.\n"},
        "wrong_arity": lambda: {"main.tad": BASE + "risky(S) :- sinus_percent(S) cites izc_sinus.\n"},
        "uncited": lambda: {"main.tad": BASE + "risky(midpalate).\n"},
        "unknown_statement": lambda: {"main.tad": BASE + "risky(midpalate) cites nobody.\n"},
        "duplicate_everything": lambda: {"main.tad": BASE + BASE},
        "template_braces": lambda: {"main.tad": BASE.replace("the {site} is risky", "the {site} is {{risky}} {b}")},
        "label_with_braces": lambda: {"main.tad": BASE.replace('label "midpalate"', 'label "{b} {site} {percent}"')},
        "control_chars_everywhere": lambda: {"main.tad": "".join(
            c + (chr(rng.randrange(0, 32)) if rng.random() < 0.01 else "") for c in BASE)},
        "crlf": lambda: {"main.tad": BASE.replace("\n", "\r\n")},
        "cr_only": lambda: {"main.tad": BASE.replace("\n", "\r")},
        "huge_arity": lambda: {"main.tad": BASE + "predicate wide(" + ", ".join(f"a{i}" for i in range(3000)) + ') "x".\n'},
        "huge_name": lambda: {"main.tad": BASE + f'term {"n" * 200_000} category site label "long".\n'},
        "huge_string": lambda: {"main.tad": BASE + f'term big category site label "{"x" * 1_500_000}".\n'},
        "many_files": lambda: {f"f{i}.tad": f'term t{i} category site label "t {i}".\n' for i in range(300)} | {"main.tad": BASE},
        "statement_lines_outside": lambda: {"main.tad": BASE.replace("lines 572-576", "lines 999990-999999")},
        "seed_binary": lambda: {"main.tad": BASE.replace("003_65beaa31dcc65606.txt", "binary.txt")},
        "seed_symlink_out": lambda: {"main.tad": BASE.replace("003_65beaa31dcc65606.txt", "link.txt")},
        "tab_and_unicode": lambda: {"main.tad": BASE.replace(" ", "\t", 40).replace("midpalate\"", "m\u00efdpalate\"")},
    }
    for i in range(12):  # random byte flips of a valid file: each a different malformed file
        out[f"flipped_{i}"] = (lambda i=i: {"main.tad": _flip(BASE.encode(), random.Random(i))})
    return out


def _flip(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randrange(1, 12)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def write(folder: Path, files: dict) -> Path:
    """Write a recipe's files into ``folder`` (created), links as links."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, tuple):
            os.symlink(content[1], path)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return folder


def sources_for(folder: Path, seeds: Path) -> Path:
    """A sources folder beside ``folder``: the real seed, a binary seed and a link out."""
    sources = folder.parent / (folder.name + "-sources")
    sources.mkdir(exist_ok=True)
    seed = "003_65beaa31dcc65606.txt"
    if not (sources / seed).exists():
        shutil.copyfile(seeds / seed, sources / seed)
        (sources / "binary.txt").write_bytes(b"\xff\xfe\x00\x01" * 100)
        os.symlink("/etc/hostname", sources / "link.txt")
    return sources
