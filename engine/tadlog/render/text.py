"""An Answer as text for a terminal: the verdict, reasons, proofs and quotes, compact or full.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ..language.model import format_number
from ..terminal import clean_tree
from ..wording import UNLESS_PREFIX
from .claims import claim_of, definitions_of, lower_first, merge_claims, reason_groups
from .excerpt import excerpt, support
from .lines import _WIDTH, WIDTH, _citation_lines, _fill, _reference, _Style, short_citation  # noqa: F401 (re-exported)

if TYPE_CHECKING:  # renderers read an Answer; they never import questions at run time
    from ..questions.answer import Answer, Argument, ProofNode, RuleAnalysis

KIND_WORDS = {
    "missing_fact": "missing fact", "missing_derived_fact": "missing derived fact",
    "negated_fact_holds": "holds, but the rule needs it not to",
    "comparison_failed": "comparison fails", "not_checked": "could not be checked",
    "missing_input": "not stated for this patient",
}


QUOTE_CLIP = 340  # in the compact view; --full never shortens a quote
TIGHT = 200  # below this, a reason quotes only its best-supporting statement


def _clustered_reasons(args, answer: Answer, style: "_Style", limit: Optional[int],
                       quoted: set, clip: int = 340) -> tuple[list[str], int]:
    """Compact reasons: arguments resting on the same statements share one entry, and each
    statement's verbatim quote is printed once per answer (later entries refer to it)."""
    groups = list(reason_groups(args).items())
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


def _definition_lines(arg: Argument, style: "_Style", indent: str) -> list[str]:
    """An inherited reason names the inclusion it rests on: a curator definition, never a citation."""
    lines: list[str] = []
    for rationale in definitions_of(arg.via):
        lines += [style.dim(l) for l in _fill(f"\u2014 curator definition: {rationale}", indent, indent + "  ")]
    return lines


def _short_sources(statements: list[str], answer: Answer, limit: int = 1) -> Optional[str]:
    cites = [answer.citations[s] for s in statements if s in answer.citations]
    if not cites:
        return None
    text = "; ".join(short_citation(c) for c in cites[:limit])
    if len(cites) > limit:
        text += f"; +{len(cites) - limit} more"
    return text


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


def _heading(style: _Style, title: str) -> list[str]:
    """A blank line, then a section title (filled like the rest: a narrow screen wraps it)."""
    return [""] + [style.bold(line) for line in _fill(title, "", "  ")]


def _help_lines(note: str) -> list[str]:
    """The help form's table, as laid out, each row that does not fit wrapped under itself."""
    lines: list[str] = []
    for row in note.splitlines():
        lead = row[:len(row) - len(row.lstrip())]
        lines += [row] if len(row) <= _WIDTH.get() else _fill(row.strip(), lead, lead + "    ")
    return lines


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rsplit(" ", 1)[0] + " …"


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


def _quote_lines(statements, answer: Answer, style: _Style, quoted: Optional[set], indent: str,
                 clip: int = 340, claim: str = "") -> list[str]:
    """Citations with their quotes, each statement quoted once per answer (then referred to). A
    long quote is shortened to the sentences that support ``claim`` (render/excerpt.py)."""
    quoted = set() if quoted is None else quoted
    cites = [answer.citations[s] for s in statements if s in answer.citations]
    fresh = [c for c in cites if c.statement not in quoted]
    if clip < TIGHT and len(fresh) > 1:  # little room: the quote that supports the claim best
        fresh.sort(key=lambda c: -support(c.quote, claim))
    lines: list[str] = []
    for number, c in enumerate(fresh):
        quoted.add(c.statement)
        text = (f"\u2014 {short_citation(c)}: \u201c{excerpt(c.quote, claim, clip)}\u201d"
                if clip and (number == 0 or clip >= TIGHT) else f"\u2014 {short_citation(c)}")
        lines += [style.dim(line) for line in _fill(text, indent, indent + "  ")]
    if cites and not fresh:
        text = "\u2014 " + "; ".join(_reference(c) for c in cites) + " (quoted above)"
        lines += [style.dim(line) for line in _fill(text, indent, indent + "  ")]
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
    token = _WIDTH.set(width or WIDTH)
    try:
        return _render_at_width(clean_tree(answer), colour, full, depth)
    finally:
        _WIDTH.reset(token)


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
    overview = answer.form == "indications" and answer.subject is None  # one entry a plane, the source's list quoted
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


ITEM_LIMIT, ITEM_REASONS = 8, 2
ALSO_SHOWN = 1  # compact: the one statement beyond the reasoning that bears most on the question


def _truncated_items(answer: Answer, limit=ITEM_LIMIT, reasons=ITEM_REASONS) -> bool:
    return len(answer.items) > limit or any(len(i.arguments) > reasons for i in answer.items)


def _item_lines(answer: Answer, style: _Style, full: bool, limit=ITEM_LIMIT, reasons=ITEM_REASONS,
                quoted: Optional[set] = None, clip: int = 200) -> list[str]:
    if not answer.items:
        return []
    out = [""]
    items = answer.items if full else answer.items[:limit]
    for number, item in enumerate(items, 1):
        out += _fill(f"{number}. {item.summary}", "", "   ")
        arguments = item.arguments if full else item.arguments[:max(reasons, 1)]
        single = len(item.arguments) == 1 and item.arguments[0].stance == "neutral" and not full
        for arg in arguments:
            mark = {"for": "+ ", "against": "- "}.get(arg.stance, "* ")
            where = _short_sources(arg.proof.statements(), answer)
            if single and quoted is not None:
                out += _quote_lines(arg.proof.statements()[:2], answer, style, quoted, "   ", clip, item.label)
                continue
            if single:
                if where:
                    out += [style.dim(l) for l in _fill("\u2014 " + where, "   ", "     ")]
                continue
            out += _fill(mark + claim_of(arg), "   ", "     ") + _definition_lines(arg, style, "     ")
            if full:
                for sid in arg.proof.statements():
                    if sid in answer.citations:
                        out += _citation_lines(answer.citations[sid], "     ")
            elif quoted is not None:  # the supporting sentences, each statement quoted once
                out += _quote_lines(arg.proof.statements()[:2], answer, style, quoted, "     ", clip, arg.claim)
            elif where:
                out += [style.dim(l) for l in _fill("\u2014 " + where, "     ", "       ")]
    if len(items) < len(answer.items):
        out.append(f"... {len(answer.items) - len(items)} more (--full)")
    return out


def _evidence_lines(answer: Answer, style: _Style, full: bool, limit, quoted: set, clip: int) -> list[str]:
    """The evidence answer: each statement's fact, then its verbatim quote (ranked for the intent)."""
    if not answer.items:
        return []
    out: list[str] = []
    items = answer.items if full or limit is None else answer.items[:limit]
    for number, item in enumerate(items, 1):
        head = f"{number:>2}. "
        out += [""] if number == 1 else []
        cite = answer.citations.get(item.term)
        if not full and item.excerpt and cite is not None:  # compact: the source's own words
            quoted.add(item.term)
            out += _fill(f"{short_citation(cite)}: \u201c{item.excerpt}\u201d", head, " " * len(head))
            continue
        out += _fill(item.summary.rstrip(".") + ".", head, " " * len(head))
        for arg in item.arguments[:1]:
            if full:
                for sid in arg.proof.statements():
                    if sid in answer.citations:
                        out += _citation_lines(answer.citations[sid], "     ")
            else:
                out += _quote_lines([item.term], answer, style, quoted, "     ", clip, item.summary)
    if len(items) < len(answer.items):
        out.append(f"    ... {len(answer.items) - len(items)} more (--full)")
    return out


def _conflict_lines(answer: Answer, style: _Style, full: bool, limit: Optional[int] = None) -> list[str]:
    """Disagreements between the sources the answer rests on: compact = topic and sides in one line each."""
    if not answer.conflicts:
        return []
    out = _heading(style, "Sources disagree")
    for conflict in answer.conflicts:
        if full:
            out += _fill(f"- {conflict.topic}" + (f": {conflict.note}" if conflict.note else ""), "  ", "    ")
            for side_number, side in enumerate(conflict.sides, 1):
                for sid in side:
                    c = answer.citations.get(sid)
                    if c is not None:
                        out += _fill(f"side {side_number}: {c.document} {c.section}, lines "
                                     f"{c.lines[0]}-{c.lines[1]}: \u201c{c.quote}\u201d", "    ", "      ")
            continue
    if not full:  # compact: the topics, one after another; --full gives both sides' quotes
        topics = "; ".join(c.topic.rstrip(".") for c in answer.conflicts)
        room = 3 if limit is None or limit > 1 else 2  # the tightest screens give the topics two lines
        return out + _fill(_clip(topics, room * (_WIDTH.get() - 4) - 28) + " (--full shows both sides)", "  ", "  ")
    return out


def _also_lines(answer: Answer, style: _Style, full: bool, limit, quoted: set, clip: int) -> list[str]:
    """What else the sources say that bears on the question, each statement quoted once: the
    sentences that share the question's words (compact), the whole quote (--full)."""
    fresh = [sid for sid in answer.also if sid in answer.citations and sid not in quoted]
    shown = fresh if full or limit is None else fresh[:limit]
    if not shown or (not full and not clip):
        return []
    out = ["", style.bold("Also in the sources")]
    for sid in shown:
        cite = answer.citations[sid]
        if full:
            out += _citation_lines(cite, "  ")
        else:
            quoted.add(sid)
            text = f"\u2014 {short_citation(cite)}: \u201c{excerpt(cite.quote, answer.question, clip)}\u201d"
            out += [style.dim(line) for line in _fill(text, "  ", "    ")]
    return out


def _shown_lines(answer: Answer, full: bool) -> list[str]:
    out = []
    for sid in answer.statements_shown if full else answer.statements_shown[:12]:
        c = answer.citations.get(sid)
        if c is not None:
            out += ([""] if not out else []) + (_citation_lines(c, "  ") if full or answer.form == "show"
                                                else _fill(f"{sid}: {short_citation(c)}", "  ", "    "))
    return out


