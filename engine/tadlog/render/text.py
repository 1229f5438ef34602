"""An Answer as text for a terminal: the verdict, reasons, proofs and quotes, compact or full.
"""
from __future__ import annotations

from contextvars import ContextVar
from dataclasses import replace
from typing import TYPE_CHECKING, Optional

from ..language.model import format_number
from ..terminal import clean, clean_tree
from ..wording import UNLESS_PREFIX
from .claims import claim_of, lower_first, merge_claims, reason_groups
from .lines import _WIDTH, WIDTH, _citation_lines, _fill, _reference, _Style, short_citation  # noqa: F401 (re-exported)
from .sections import (ALSO_SHOWN, _also_lines, _conflict_lines, _definition_lines, _evidence_lines,  # noqa: F401
                       _clip, _heading, _item_lines, _quote_lines, _short_sources, _shown_lines,
                       _truncated_items)

if TYPE_CHECKING:  # renderers read an Answer; they never import questions at run time
    from ..questions.answer import Answer, Argument, ProofNode, RuleAnalysis

KIND_WORDS = {
    "missing_fact": "missing fact", "missing_derived_fact": "missing derived fact",
    "negated_fact_holds": "holds, but the rule needs it not to",
    "comparison_failed": "comparison fails", "not_checked": "could not be checked",
    "missing_input": "not stated for this patient",
}


QUOTE_CLIP = 340  # in the compact view; --full never shortens a quote
_GROUPS: ContextVar[Optional[dict]] = ContextVar("tadlog_reason_groups", default=None)  # render_text sets it


def _grouped(args: tuple) -> list:
    """``reason_groups(args)`` as (key, group) pairs, made once per side while one answer is
    rendered: the compact view renders an answer at up to ten sets of limits until it fits a
    screen, and at 400x a side of a why-not has 6,000 reasons to group."""
    memo = _GROUPS.get()
    found = memo.get(id(args)) if memo is not None else None
    if found is None or found[0] is not args:  # (the arguments are kept with it: their id is not reused)
        found = (args, list(reason_groups(args).items()))
        if memo is not None:
            memo[id(args)] = found
    return found[1]


def _clustered_reasons(args, answer: Answer, style: "_Style", limit: Optional[int],
                       quoted: set, clip: int = 340) -> tuple[list[str], int]:
    """Compact reasons: arguments resting on the same statements share one entry, and each
    statement's verbatim quote is printed once per answer (later entries refer to it)."""
    groups = _grouped(args)
    shown = groups if limit is None else groups[:limit]
    lines: list[str] = []
    for number, ((statements, _), group) in enumerate(shown, 1):
        merged = merge_claims(group)
        claims = "; ".join([merged[0]] + [lower_first(c) for c in merged[1:]])
        head = f"{number:>2}. "
        lines += _fill(_clip(claims + ".", 2 * (_WIDTH.get() - len(head))), head, " " * len(head))
        lines += _definition_lines(group[0], style, "     ")
        lines += _quote_lines(statements, answer, style, quoted, "     ", clip, claims)
    return lines, len(groups) - len(shown)


def _argument_lines(number, arg: Argument, answer: Answer, style: _Style, full: bool,
                    depth: int) -> list[str]:
    head = f"{number:>2}. "
    if full:
        proof = _proof_lines(arg.proof, "     ", answer, depth, show_citations=True)
        if arg.via is not None:  # inherited: the inclusion and its curator definitions
            proof += _fill(f"({arg.inherited})", "        ") + _proof_lines(arg.via, "        ", answer, depth)
        return [f"{number:>3}. " + proof[0][5:]] + proof[1:]
    lines = _fill(claim_of(arg) + ".", head, " " * len(head)) + _definition_lines(arg, style, "     ")
    if not full:
        if arg.proof.by == "rule":
            leaves = _leaf_claims(arg.proof)
            if leaves:
                text = "because: " + "; ".join(lower_first(c) for c in leaves)
                lines += _fill(_clip(text, 2 * (_WIDTH.get() - 6)), "     ", "       ")
        where = _short_sources(arg.proof.statements(), answer)
        if where:
            lines += [style.dim(line) for line in _fill("\u2014 " + where, "     ", "       ")]
        return lines
    if arg.proof.by == "rule":
        lines += _proof_lines(arg.proof, "     ", answer, depth, show_citations=True)[1:]
    else:
        for sid in arg.proof.statements():
            if sid in answer.citations:
                lines += _citation_lines(answer.citations[sid], "     ")
    return lines


def _leaf_claims(node: ProofNode) -> list[str]:
    """The stated facts (and patient inputs) a derived claim rests on, in proof order."""
    if node.by in ("statement", "input"):
        return [node.claim]
    out: list[str] = []
    for premise in node.premises:
        out += [c for c in _leaf_claims(premise) if c not in out]
    return out


def _help_lines(note: str) -> list[str]:
    """The help form's table, as laid out, each row that does not fit wrapped under itself."""
    lines: list[str] = []
    for row in note.splitlines():
        lead = row[:len(row) - len(row.lstrip())]
        lines += [row] if len(row) <= _WIDTH.get() else _fill(row.strip(), lead, lead + "    ")
    return lines


HOW = {"statement": "stated by the source", "input": "given for this patient", "unproved": "not proved",
       "definition": "curator definition"}


def _proof_lines(node: ProofNode, indent: str, answer: Answer, depth: int,
                 show_citations: bool = True, quote=None) -> list[str]:
    """The proof tree: each fact, how it is known, its conditions, then its premises indented.
    Compact (``quote`` given): a stated fact shows the sentences of its quote that support it."""
    how = f"by rule {node.rule}" if node.by == "rule" else HOW[node.by]
    if node.by == "statement" and not show_citations and quote is None:
        where = _short_sources(list(node.citations), answer)
        how = f"stated: {where}" if where else how
    lines = _fill(f"{node.claim}  ({how})", indent, indent + "   ")
    if node.by == "statement" and quote is not None:
        lines += quote(list(node.citations), indent + "   ", node.claim)
    for condition in node.conditions:
        lines += _fill(f"and {condition}", indent + "   ")
    if node.by == "definition" and node.rationale:
        lines += _fill(f"curator definition: {node.rationale}", indent + "   ")
    elif node.rationale and show_citations:
        lines += _fill(f"rule rationale: {node.rationale}", indent + "   ")
    if show_citations:
        for sid in node.citations + (node.rule_citations if node.by == "rule" else ()):
            if sid in answer.citations:
                lines += _citation_lines(answer.citations[sid], indent + "   ")
    if depth > 0:
        for premise in node.premises:
            lines += _proof_lines(premise, indent + "   ", answer, depth - 1, show_citations, quote)
    elif node.premises or node.truncated:
        lines += _fill("... (deeper: --depth N)", indent + "   ")
    return lines


def _analysis_lines(analysis: RuleAnalysis, answer: Answer, style: _Style, full: bool,
                    quoted: Optional[set] = None, clip: int = 340, nest: str = "") -> list[str]:
    """A blocked rule: what it would conclude, what held, what blocks it. ``nest`` indents a
    deeper analysis; every line is filled at its own indent, so none runs past the width."""
    lines = _fill(f"rule {analysis.rule} would conclude: {analysis.conclusion}", nest + "  ", nest + "    ")
    if full:
        for held in analysis.held:
            held_lines = _fill("held: " + held, nest + "    ", nest + "      ")
            lines += [style.green(l) if i == 0 else l for i, l in enumerate(held_lines)]
        if analysis.rationale:
            lines += _fill(f"rule rationale: {analysis.rationale}", nest + "    ", nest + "      ")
        for sid in analysis.citations:  # what the rule itself rests on
            if sid in answer.citations:
                lines += _citation_lines(answer.citations[sid], nest + "    ")
    elif analysis.held:
        lines.append(f"{nest}    {len(analysis.held)} condition{'s' if len(analysis.held) != 1 else ''} held")
    for cond in analysis.blocked_by:
        kind = KIND_WORDS.get(cond.kind, cond.kind)
        if cond.kind == "missing_derived_fact" and not full:
            kind += "; --full explains it"
        text = f"blocked: {cond.text} ({kind})"
        lines += [style.red(l) if i == 0 else l for i, l in enumerate(_fill(text, nest + "    ", nest + "      "))]
        for deeper in cond.explained:  # a missing derived fact, explained one level further
            lines += _analysis_lines(deeper, answer, style, full, quoted, clip, nest + "      ")
        if cond.proof is not None:
            if full:
                for sid in cond.proof.statements():
                    if sid in answer.citations:
                        lines += _citation_lines(answer.citations[sid], nest + "      ")
            else:
                # at the tightest quote length the verdict already says what holds: refer to it
                lines += _quote_lines(cond.proof.statements(), answer, style, quoted, nest + "      ",
                                      clip if clip >= 100 else 0, cond.text)
    return lines


def _compact_changes(answer: Answer) -> list[str]:
    """What would change the outcome, less what the compact view already says: a negated fact
    that holds is shown with its quote under 'What blocks it', and rules waiting on patient
    inputs are summarised there in one line."""
    hidden = {c for a in answer.why_not if _needs_inputs_only(a) for c in a.changes}
    hidden |= {c for a in answer.why_not for c in a.changes if c.startswith(UNLESS_PREFIX)}
    return [c for c in answer.would_change if c not in hidden]


def _needs_inputs_only(analysis: RuleAnalysis) -> bool:
    """A rule that is blocked because the question states no patient (plus what follows from that)."""
    kinds = {c.kind for c in analysis.blocked_by}
    return "missing_input" in kinds and kinds <= {"missing_input", "missing_fact", "missing_derived_fact"}


def _patient_line(answer: Answer) -> Optional[str]:
    if not answer.patient:
        return None
    parts = []
    for name, value in answer.patient:
        shown = value if isinstance(value, str) else format_number(value)
        if name == "patient_age":
            parts.append(f"age {shown}")
        elif name == "patient_bmi":
            parts.append(f"BMI {shown}")
        else:
            parts.append(dict(answer.patient_labels).get(value, str(value)))
    text = "Patient: " + ", ".join(parts)
    if answer.derived_patient:
        text += " (counted as: " + ", ".join(answer.derived_patient) + ")"
    return text


FOR_FIRST = {"why", "compare", "what_is"}
QUOTED_ITEMS = {"sites", "anchorage", "compare", "contraindications"}  # items whose reasons show their quotes


SCREEN = 50
SHORT_LIST = 4  # an indications answer for one plane with this many entries or fewer quotes its sources
# Compact limits, loosest first: (reasons per side, list items, reasons per item, changes/instead).
# (reason entries per side, list items, reasons per item, changes/instead, quote length shown)
# An optional sixth field False drops the quotes under "What blocks it" (the blocking fact is
# still named): the reasons and their figures keep the screen before the proof's detail does, and
# three reasons with shorter (whole-sentence) quotes come before one reason quoted at length.
COMPACT_LIMITS = ((8, 8, 2, 3, 340), (6, 8, 2, 3, 340), (5, 6, 2, 2, 340), (4, 6, 1, 2, 340),
                  (4, 6, 1, 2, 340, False), (3, 4, 1, 1, 340, False), (3, 4, 1, 1, 200, False),
                  (2, 3, 0, 1, 340, False), (2, 3, 0, 1, 200, False), (1, 3, 0, 1, 340, False),
                  (1, 3, 0, 1, 160, False), (1, 2, 0, 1, 90, False),
                  (1, 2, 0, 1, 0, False))  # last resort: references without quotes (never cut mid-sentence)


def render_text(answer: Answer, *, colour: bool = False, full: bool = False, depth: int = 3,
                width: Optional[int] = None) -> str:
    """The answer for a reader: verdict first, compact (one screen, ~40 lines) unless ``full``.

    The answer's text is made inert first (terminal.clean_tree): no escape sequence from a
    label, a quote or the question reaches the terminal; the colours added here are ours.
    ``width``: the columns to fill (the terminal's); 80 by default."""
    token, grouping = _WIDTH.set(width or WIDTH), _GROUPS.set({})
    try:
        return _render_at_width(clean_tree(answer if full else _compact_view(answer)), colour, full, depth)
    finally:
        _WIDTH.reset(token)
        _GROUPS.reset(grouping)


SIDE_MOST = max(limits[0] for limits in COMPACT_LIMITS)  # reason entries a side shows, at most


def _compact_view(answer: Answer) -> Answer:
    """The answer as the compact view reads it, before it is made inert. A side's reason groups
    past the most it can show are only counted ("... 798 more"), so each is kept as one stand-in
    that groups the same way: at 100x a side has 1,500 reasons, and cleaning all their proofs
    was most of the text's cost."""
    return replace(answer, arguments_for=_counted_past_shown(answer.arguments_for),
                   arguments_against=_counted_past_shown(answer.arguments_against))


def _counted_past_shown(args: tuple) -> tuple:
    """``args`` group by group (reason_groups keeps the same groups, in the same order), the
    groups past SIDE_MOST each as one stand-in (Argument.stand_in: no claim, no proof built).
    Keyed as they will group once cleaned (a label that differs only by a control character
    groups with the one without it), so the count is the one cleaning every reason gives."""
    groups = reason_groups(args, clean)
    if len(groups) <= SIDE_MOST:
        return args
    out: list = []
    for number, group in enumerate(groups.values()):
        out += group if number < SIDE_MOST else [group[0].stand_in()]
    return tuple(out)


def _render_at_width(answer: Answer, colour: bool, full: bool, depth: int) -> str:
    if full:
        return _render_text(answer, colour, True, depth, None)
    reading = reading_lines(answer)  # a heading above the answer: the answer keeps its whole screen
    if answer.form == "evidence":  # ranked quotes: as many as fill the screen, best first
        return _fill_screen(answer, colour, depth, reading)
    for limits in COMPACT_LIMITS:  # "Also in the sources" is the first to give way, before any reason
        for also in ((True, False) if answer.also else (False,)):
            text = _render_text(answer, colour, False, depth, limits, also)
            if text.count("\n") - reading <= SCREEN:
                return text
    return text


def _fill_screen(answer: Answer, colour: bool, depth: int, reading: int) -> str:
    """The compact evidence answer with the most entries that fit one screen (binary search)."""
    low, high, best = 1, max(1, len(answer.items)), None
    while low <= high:
        middle = (low + high) // 2
        text = _render_text(answer, colour, False, depth, (3, middle, 1, 2, QUOTE_CLIP))
        if text.count("\n") - reading <= SCREEN:
            best, low = text, middle + 1
        else:
            high = middle - 1
    return best if best is not None else _render_text(answer, colour, False, depth, (1, 1, 0, 1, 160))


def reading_lines(answer: Answer) -> int:
    """How many lines the 'Read as: ...' heading takes (0 when the answer has no reading)."""
    return len(_fill(str(answer.reading), "", "  ")) if answer.reading else 0


def _render_text(answer: Answer, colour: bool, full: bool, depth: int, limits, also: bool = True) -> str:
    style = _Style(colour)
    reasons, item_limit, item_reasons, small, clip = (limits or (None, None, None, None, QUOTE_CLIP))[:5]
    block_clip = clip if not limits or len(limits) < 6 or limits[5] else 0
    out: list[str] = [style.dim(line) for line in _fill(str(answer.reading), "", "  ")] if answer.reading else []
    out += [style.bold(line) for line in _fill(answer.verdict, "")]
    more = False
    quoted: set = set()  # statements whose quote is shown: each once per answer
    patient = _patient_line(answer)
    if patient:
        out += _fill(patient, "  ", "    ")
    for note in answer.notes:
        out += _help_lines(note) if answer.form == "help" else _fill(f"({note})", "  ", "   ")
    if answer.proof is not None:
        out += _heading(style, "Why (proof)")
        quote = None if full else (lambda sids, indent, claim: _quote_lines(sids, answer, style, quoted, indent,
                                                                            clip, claim))
        out += _proof_lines(answer.proof, "  ", answer, depth if not full else max(depth, 99),
                            show_citations=full, quote=quote)
    limit = reasons
    sides = [("Reasons against (strongest evidence first)", answer.arguments_against),
             ("Reasons for (strongest evidence first)", answer.arguments_for)]
    if answer.form in FOR_FIRST or (answer.form == "is_contraindication" and answer.holds is False):
        sides.reverse()
    for title, args in sides:
        if args and full:
            out += _heading(style, title)
            for i, group in enumerate(reason_groups(args).values(), 1):  # numbered as counted
                for letter, arg in zip("abcdefghijklmnopqrstuvwxyz" * 9, group):
                    out += _argument_lines(f"{i}{letter if len(group) > 1 else ''}", arg, answer, style, full, depth)
        elif args:
            out += _heading(style, title)
            lines, hidden = _clustered_reasons(args, answer, style, limit, quoted, clip)
            out += lines
            if hidden:
                out.append(f"    ... {hidden} more (--full)")
                more = True
    # one entry a plane, the source's list quoted; a plane's short list (a few indications) has room
    # for the source's own words too ("Transverse … Centreline corrections …")
    overview = answer.form == "indications" and (answer.subject is None or len(answer.items) <= SHORT_LIST)
    quote_items = (answer.form in QUOTED_ITEMS or overview) and (clip or 0) > 120
    out += (_evidence_lines(answer, style, full, item_limit, quoted, clip) if answer.form == "evidence"
            else _item_lines(answer, style, full, item_limit, item_reasons, quoted if quote_items else None,
                             min(clip or 200, 200)))
    if answer.rows:
        out.append("")
        shown = answer.rows if full else answer.rows[:25]
        for row in shown:
            out += _fill(", ".join(f"{k} = {v if isinstance(v, str) else format_number(v)}" for k, v in row), "  ", "    ")
        if len(shown) < len(answer.rows):
            out.append(f"  ... {len(answer.rows) - len(shown)} more rows (--full)")
            more = True
    if answer.why_not:
        out += _heading(style, "What blocks it")
        waiting = [a for a in answer.why_not if not full and _needs_inputs_only(a)]
        for analysis in answer.why_not:
            if analysis not in waiting:
                out += _analysis_lines(analysis, answer, style, full, quoted, block_clip)
        if waiting:
            out += _fill(f"{len(waiting)} more rule{'s' if len(waiting) != 1 else ''} would need patient "
                         "inputs not stated here (--full)", "  ", "    ")
    wanted = list(answer.would_change) if full else _compact_changes(answer)
    if wanted:
        out += _heading(style, "What would change the outcome")
        changes = wanted if full else wanted[:small]
        for change in changes:
            out += _fill("- " + change, "  ", "    ")
        more = more or len(changes) < len(wanted)
    if answer.instead:
        out += _heading(style, "Recommended instead")
        if full:
            for i, arg in enumerate(answer.instead, 1):
                out += _argument_lines(i, arg, answer, style, full, depth)
        else:
            lines, hidden = _clustered_reasons(answer.instead, answer, style, small, quoted, clip)
            out += lines
            more = more or hidden > 0
    out += _also_lines(answer, style, full, ALSO_SHOWN, quoted, clip) if also else []
    if answer.unknowns:
        out += _heading(style, "Not stated, but would change the answer")
        for unknown in answer.unknowns:
            out += _fill("- " + unknown, "  ", "    ")
    out += _conflict_lines(answer, style, full, small)
    if answer.form == "show" or (answer.statements_shown and full):
        out += _shown_lines(answer, full)
    more = more or (not full and small is not None and len(answer.conflicts) > small)
    if not full and (more or _truncated_items(answer, item_limit, item_reasons)):
        out += [""] + [style.dim(line) for line in _fill("(--full shows every reason, the quotes and the "
                                                          "complete proofs)", "", " ")]
    return "\n".join(line.rstrip() for line in out) + "\n"
