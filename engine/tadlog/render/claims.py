"""Claims as a reader counts and reads them: reasons grouped by the evidence they rest on, claims
of one predicate merged into one sentence with a list, inherited claims named as such.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional

if TYPE_CHECKING:  # renderers read an Answer; they never import questions at run time
    from ..questions.answer import Argument, ProofNode


def merge_claims(group: list[Argument]) -> list[str]:
    """Claims of one predicate that differ in one place read as one sentence with a list:
    "... lower success rate than the mandibular alveolus, the maxillary alveolus and the midpalate"."""
    by_predicate: dict[str, list[str]] = {}
    for arg in group:
        by_predicate.setdefault(arg.fact[0], []).append(arg.claim)
    inherited = group[0].inherited
    if inherited:  # a cluster shares its statements and its inheritance: say it once
        return [c + f" ({inherited})" for c in merge_claims_plain(by_predicate)]
    return merge_claims_plain(by_predicate)


def merge_claims_plain(by_predicate: dict[str, list[str]]) -> list[str]:
    out = []
    for claims in by_predicate.values():
        out.append(merge_sentences(claims) if len(claims) > 1 else claims[0])
    return out


def merge_sentences(claims: list[str]) -> str:
    words = [c.split(" ") for c in claims]
    head = 0
    while all(len(w) > head for w in words) and len({tuple(w[head:head + 1]) for w in words}) == 1:
        head += 1
    tail = 0
    while all(len(w) > head + tail for w in words) and len({w[len(w) - 1 - tail] for w in words}) == 1:
        tail += 1
    while head > 0 and words[0][head - 1].lower() in ("the", "a", "an"):
        head -= 1  # "the mandibular alveolus, the maxillary alveolus and the midpalate"
    middles = [" ".join(w[head:len(w) - tail]) for w in words]
    if head == 0 or any(not m for m in middles):
        return "; ".join([claims[0]] + [lower_first(c) for c in claims[1:]])
    listed = ", ".join(middles[:-1]) + " and " + middles[-1]
    rest = words[0][len(words[0]) - tail:] if tail else []
    if rest and rest[0] in AGREEMENT:  # a listed subject takes a plural verb: "X, Y and Z are each ..."
        rest = AGREEMENT[rest[0]].split() + rest[1:]
    return " ".join(words[0][:head] + [listed] + rest)


AGREEMENT = {"is": "are each", "has": "each have", "was": "were each", "provides": "each provide"}


def reason_groups(args, normal: Optional[Callable[[str], str]] = None) -> dict[tuple, list[Argument]]:
    """Reasons as a reader counts them: facts resting on the same statements (and inherited the
    same way) are one reason. Headline counts use this, so they match the numbered entries.
    ``normal`` keys them as they will read once cleaned (render/text.py counts reasons before
    cleaning them)."""
    groups: dict[tuple, list[Argument]] = {}
    for arg in args:
        if normal is None:
            key = (tuple(arg.statements()), arg.inherited)
        else:
            key = (tuple(map(normal, arg.statements())), arg.inherited and normal(arg.inherited))
        groups.setdefault(key, []).append(arg)
    return groups


def claim_of(arg: Argument) -> str:
    return arg.claim + (f" ({arg.inherited})" if arg.inherited else "")


def definitions_of(node: Optional[ProofNode]) -> list[str]:
    """The curator definitions a proof rests on (structural facts no sentence states)."""
    if node is None:
        return []
    out = [node.rationale] if node.by == "definition" and node.rationale else []
    for premise in node.premises:
        out += [r for r in definitions_of(premise) if r not in out]
    return out


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
