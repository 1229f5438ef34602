"""The development question set (issue 8, item 5): loading, normalising, matching, scoring.

Shared by ``benchmarks/score_questions.py`` (the scoring command) and ``tests/test_devset.py``
(the set's own checks). It is a plain module, not part of the ``tadlog`` package: the set is a
measurement of the engine, so the engine must not depend on it. Both users put this folder on
``sys.path`` and ``import devset``; that keeps it importable from a checkout without making
``tests`` a package. Standard library only (plus ``tadlog`` when scoring).

A question set is a JSON list of objects::

    {"id": "torque-midpalate-1", "question": "What torque is right for a palatal miniscrew?",
     "intent": "quantity", "names": ["midpalate"], "key_points": ["10-25 Ncm", "5-15 Ncm"],
     "sources": ["003 cousley_handbook §2.1 lines 959-962 [hb2_midpalate_torque_study]"],
     "origin": "issue-8"}

An item's intent follows its opening, the same way for every item: "why ..." asks for reasons;
"X or Y?", "compare" and "better than" for a choice; "where" and "which site" for where; "what
happens if", "is it safe", "any risk" for risks; "how much / many / long / deep", "what torque",
"when can I" for a quantity; "how do I", "do I need", "should I" (an act) for how-to; "can I ... in
this patient", "indications", "cases that benefit" for suitability; "what is", "... means?" and a
bare name for a definition; "does X affect / cause / change Y" and what a study or the literature
shows for evidence. Its names are the terms the question itself says (in any wording), never
the ones only its answer should name: those are key points.

optionally with ``"silent": true`` (the sources say nothing on it; no key points) or with
``"intent": "error"`` (no known name: the answer must be a ``TadlogError``).
"""
from __future__ import annotations

import json
import re
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DEFAULT_SET = HERE / "questions.json"

INTENTS = ("reasons", "choice", "where", "risks", "quantity", "howto", "suitability",
           "definition", "evidence", "raw", "help", "error")
ORIGINS = ("issue-8", "readme", "docs", "kb-questions", "bench", "written")
# A source reference ends with the statement id in brackets: "... [hb2_ideal_torque_alveolar]".
SOURCE_ID = re.compile(r"\[([A-Za-z0-9_]+)\]\s*$")

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d"), "-")
_QUOTES = {ord("\u2018"): "'", ord("\u2019"): "'", ord("\u201a"): "'", ord("\u201b"): "'",
           ord("\u2032"): "'", ord("`"): "'", ord("\u201c"): '"', ord("\u201d"): '"',
           ord("\u201e"): '"', ord("\u201f"): '"', ord("\u2033"): '"', ord("\u00a0"): " "}


def normalise(text: str) -> str:
    """Case-folded, whitespace folded, every dash a hyphen, every curly quote straight."""
    text = unicodedata.normalize("NFKC", text).translate(_DASHES).translate(_QUOTES)
    return " ".join(text.casefold().split())


def contains(haystack: str, needle: str) -> bool:
    """Whether ``needle`` appears in ``haystack`` once both are normalised.

    Hyphens also match across a line break or a space left by wrapping ("mid-\\npalate",
    "mid- palate"), since rendered text wraps long words at hyphens.
    """
    hay, key = normalise(haystack), normalise(needle)
    if key in hay:
        return True
    return key in re.sub(r"- ", "-", hay)


def missing_points(text: str, key_points: Iterable[str]) -> list[str]:
    return [k for k in key_points if not contains(text, k)]


def example_key(question: str) -> str:
    """How examples are compared with the set: normalised, without the optional final '?'."""
    return normalise(question).rstrip("?").rstrip()


# ---- the set ---------------------------------------------------------------------------------
def load_set(path: Optional[Path] = None) -> list[dict]:
    with open(path or DEFAULT_SET, encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, list):
        raise ValueError(f"{path or DEFAULT_SET}: a question set is a JSON list of objects")
    return data


def source_ids(item: dict) -> list[str]:
    """The statement ids named by an item's ``sources`` references."""
    ids = []
    for ref in item.get("sources", ()):
        match = SOURCE_ID.search(ref)
        if match:
            ids.append(match.group(1))
    return ids


# ---- the examples the set must contain ------------------------------------------------------
def documented_examples(root: Path = ROOT) -> dict[str, list[str]]:
    """Every example question of the README, docs/questions.md, kb/questions.txt and
    benchmarks/questions.txt, by origin."""
    found: dict[str, list[str]] = {}
    readme = (root / "README.md").read_text(encoding="utf-8")
    found["readme"] = (re.findall(r'tadlog ask "([^"]+)"', readme)
                       + re.findall(r'\.ask\("([^"]+)"\)', readme))
    docs = (root / "docs" / "questions.md").read_text(encoding="utf-8")
    rows = []
    for line in docs.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 2:
            rows += re.findall(r"`([^`]+)`", cells[1])
    found["docs"] = rows + re.findall(r'tadlog ask "([^"]+)"', docs)
    for origin, rel in (("kb-questions", "kb/questions.txt"), ("bench", "benchmarks/questions.txt")):
        path = root / rel
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        found[origin] = [l.strip() for l in lines if l.strip() and not l.lstrip().startswith("#")]
    # Placeholders of the prose ('tadlog ask "QUESTION"') are not examples.
    return {origin: [q for q in qs if not q.isupper()] for origin, qs in found.items()}


# ---- scoring ---------------------------------------------------------------------------------
@dataclass
class Result:
    item: dict
    understood: bool
    keys_ok: bool
    missing: list[str] = field(default_factory=list)
    first_line: str = ""
    reading: Optional[str] = None
    error: Optional[str] = None
    seconds: float = 0.0

    @property
    def id(self) -> str:
        return self.item["id"]


def ask_one(kb, item: dict, full: bool = False) -> Result:
    """Ask one question; judge understanding and the key points of the default text view
    (of the ``--full`` view when ``full`` is set: a diagnostic, never the target)."""
    from tadlog import TadlogError

    started = time.perf_counter()
    expect_error = item.get("intent") == "error"
    try:
        answer = kb.ask(item["question"], full=True) if full else kb.ask(item["question"])
        text = answer.to_text(full=True) if full else answer.to_text()
    except TadlogError as exc:
        elapsed = time.perf_counter() - started
        message = str(exc).strip()
        first = message.splitlines()[0] if message else type(exc).__name__
        return Result(item, understood=expect_error, keys_ok=expect_error,
                      missing=[] if expect_error else list(item.get("key_points", ())),
                      first_line=first, error=first, seconds=elapsed)
    except Exception as exc:  # a crash is never understanding; report it, keep measuring
        elapsed = time.perf_counter() - started
        first = f"{type(exc).__name__}: {exc}".splitlines()[0]
        return Result(item, understood=False, keys_ok=False,
                      missing=list(item.get("key_points", ())), first_line=first,
                      error=first, seconds=elapsed)
    elapsed = time.perf_counter() - started
    reading = getattr(answer, "reading", None)
    first = next((l for l in text.splitlines() if l.strip()), "")
    if expect_error:
        return Result(item, understood=False, keys_ok=False, first_line=first,
                      reading=reading, seconds=elapsed)
    missing = missing_points(text, item.get("key_points", ()))
    misread = misreading(item, reading, patient_terms(kb, answer))
    return Result(item, understood=not misread, keys_ok=not missing, missing=missing, first_line=first,
                  reading=None if reading is None else str(reading), error=misread, seconds=elapsed)


# The reader may name an intent more finely than the set does.
INTENT_FAMILY = {"reasons_against": "reasons"}


def patient_terms(kb, answer) -> set[str]:
    """The patient factors the answer used, stated or derived by the rules (an age of 15 is an
    adolescent): a name of the item is read when the patient it describes was understood."""
    labels = {label for _, label in getattr(answer, "patient_labels", ())} | set(getattr(answer, "derived_patient", ()))
    return {t.name for t in kb.model.terms if kb.model.label(t.name) in labels}


def misreading(item: dict, reading, patient: set[str] = frozenset()) -> Optional[str]:
    """Why the answer's reading is not the question's (None when it is): an answer alone is not
    understanding; the intent must be the one labelled, and every name of the item must be read
    (as a name, or as the patient's factor)."""
    if item["intent"] in ("raw", "help"):  # a raw query names predicates, not terms; help names nothing
        return None
    if reading is None or not hasattr(reading, "intent"):
        return "no reading line"
    intent = INTENT_FAMILY.get(reading.intent, reading.intent)
    if intent != item["intent"]:
        return f"read as intent '{reading.intent}', labelled '{item['intent']}'"
    read = {name.term for name in getattr(reading, "names", ())} | patient
    unread = [n for n in item.get("names", ()) if n not in read]
    if unread:
        return "names not read: " + ", ".join(unread)
    return None


def score(kb, items: list[dict], full: bool = False) -> list[Result]:
    return [ask_one(kb, item, full=full) for item in items]


def summary(results: list[Result]) -> dict:
    def block(rs: list[Result]) -> dict:
        n = len(rs)
        understood = sum(r.understood for r in rs)
        keys = sum(r.keys_ok for r in rs)
        return {"total": n, "understood": understood, "keys": keys,
                "understood_rate": understood / n if n else 0.0,
                "keys_rate": keys / n if n else 0.0}

    out = block(results)
    by_intent: dict[str, list[Result]] = {}
    for r in results:
        by_intent.setdefault(r.item.get("intent", "?"), []).append(r)
    out["by_intent"] = {k: block(v) for k, v in sorted(by_intent.items())}
    times = sorted(r.seconds for r in results)
    if times:
        out["median_ms"] = round(1000 * times[len(times) // 2], 1)
        out["p95_ms"] = round(1000 * times[min(len(times) - 1, int(0.95 * len(times)))], 1)
    return out
