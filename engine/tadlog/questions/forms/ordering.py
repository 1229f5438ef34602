"""The order an answer shows ranked statements in: what the intent asks for first, one entry
per sentence, and a quote's antecedent or a study's result beside it.

Made as it is read: "Also in the sources" reads only as far as its few entries (at 1000x a
ranking holds 178,000 statements), the evidence form reads it whole. tests/test_ranking_order.py
checks the order read either way against the ranking made whole, step by step.
"""
from __future__ import annotations

from itertools import islice
from typing import Callable, Iterator, Optional

from .statements import StatementIndex

RELATIVE = 1.0  # a quantity answer also keeps, among its figures, statements scoring this share of the best figure


def ordered(model, index: StatementIndex, scored: list, fits: Callable, intent: str) -> Iterator:
    """The scored statements in the order an answer shows them (what the intent asks for first,
    one entry per sentence, a quote's antecedent or result beside it), made as they are read."""
    return _with_antecedents(model, index, _distinct(index, _fitting_first(scored, fits, intent)))


# What follows a statement and belongs with it: a study's result, or a qualification of what it said
# ("However, this has not been validated by animal or clinical studies").
LEADING = 6  # the entries on a first screen: only their antecedents are brought forward


def _with_antecedents(model, index: StatementIndex, ranked) -> Iterator:
    """A quote that points back ("This marked drop in success rates ...") is shown right after the
    statement it points to, the one that ends where it begins in the same section: the figures it
    speaks of are then on the screen with it (brought forward, or moved up from lower down). Likewise
    a study among the first entries is followed by the statement right after it that gives its result
    ("The authors concluded that OMI anchorage ... much more versatile and reliable ...").

    Only the first entries move, so only they are read before the first is given: an entry brought
    up from below them is left out where the rest come."""
    ranked = iter(ranked)
    head = list(islice(ranked, LEADING + 1))  # every place an entry is moved to, or compared with, is in here
    out, raised = list(head), set()
    for here in range(min(LEADING, len(out))):  # a result follows its study ("The authors concluded ..."),
        score, sid = out[here]                   # and what it brings may bring its own (a chain of three)
        after = index.result(model, sid)
        if after is None:
            continue
        there = next((i for i, entry in enumerate(out) if entry[1] == after), None)
        if there is not None and there <= here + 1:
            continue  # already above it, or right after
        _move(out, there, here + 1, (score, after), raised)
    for score, sid in head[:LEADING]:
        before = index.antecedent(model, sid)
        if before is None:
            continue
        here = next(i for i, entry in enumerate(out) if entry[1] == sid)
        there = next((i for i, entry in enumerate(out) if entry[1] == before), None)
        if there is not None and there < here:
            continue  # already above it
        _move(out, there, here, (score, before), raised)
    yield from out
    yield from (entry for entry in ranked if entry[1] not in raised)


def _move(out: list, there: Optional[int], to: int, entry: tuple, raised: set) -> None:
    """Put ``entry`` at ``to``: taken from ``there`` in the head, or else from below it (or from
    outside the ranking), which ``raised`` remembers so that it is not given again."""
    if there is not None:
        out.pop(there)
    else:
        raised.add(entry[1])
    out.insert(to, entry)


def _distinct(index: StatementIndex, ranked) -> Iterator:
    """One entry per sentence: a source that repeats a sentence word for word (a review's summary
    and its conclusions) is quoted once, at the better-ranked place. (Told by the index's
    wordings: no statement is read, where the evidence form's ranking at 1000x holds 178,000.)"""
    seen = set()
    for entry in ranked:
        key = index.wording(entry[1])
        if key not in seen:
            seen.add(key)
            yield entry


def _fitting_first(scored: list, fits: Callable, intent: str) -> Iterator:
    """Only what the intent asks for (``fits``); for a quantity, the figures together with any statement
    that bears on the question as strongly as the best figure does ("much lower success rates
    than primary insertions"), so a figure question keeps the sentence that says what they mean.
    When nothing fits, everything scored."""
    fitting = (s for s in scored if fits(s))
    first = next(fitting, None)
    if first is None:
        yield from scored
    elif intent == "choice":  # the statements naming both first, then what is said of each
        yield first
        yield from fitting
        yield from (s for s in scored if not fits(s))
    elif intent == "quantity":  # (scored is in order: the figures and these stay in it)
        yield from (s for s in scored if fits(s) or s[0] >= RELATIVE * first[0])
    else:
        yield first
        yield from fitting
