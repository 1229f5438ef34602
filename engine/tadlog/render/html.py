"""An Answer as an HTML page a clinician reads: the verdict, the reasons with evidence badges,
collapsible proofs down to cited statements, quotes that open their source passage, and
conflicts side by side.

One self-contained document (styles and script inline, nothing fetched from elsewhere), so it
works offline, from ``tadlog ask --html`` as from ``tadlog serve``. The page is complete without
script: proofs are <details>, the ask form is a plain GET form; the script only opens source
passages (embedded in the page, or read from the service's /v1/statements/{id}).
"""
from __future__ import annotations

import json
from contextvars import ContextVar
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Sequence

from ..language.model import format_number
from .lines import evidence_facts
from .text import KIND_WORDS

if TYPE_CHECKING:  # renderers read an Answer; they never import questions at run time
    from ..questions.answer import Answer, Argument, Citation, ProofNode, RuleAnalysis

_QUOTED: ContextVar[set] = ContextVar("quoted")  # statements already quoted in the answer being rendered
ASSETS = Path(__file__).resolve().parent / "assets"
SHOWN = 6  # reasons shown before "more reasons"
GRADE_LEVEL = {"meta_analysis": "strong", "systematic_review": "strong", "trial": "strong",
               "study": "moderate", "animal_study": "moderate", "lab_study": "moderate",
               "case_report": "limited", "review": "limited", "experience": "opinion", "textbook": "opinion"}


@dataclass(frozen=True)
class AskForm:
    """The ask box and patient form, when a service can answer them (GET / with q, age, factor)."""

    question: str = ""
    age: Optional[float] = None
    factors: tuple[str, ...] = ()  # chosen (factors, findings, an age group: the form's factor fields)
    choices: tuple[tuple[str, str], ...] = ()  # (factor name, label) offered
    names: tuple[str, ...] = ()  # completions for the ask box
    error: Optional[dict] = None  # a structured error to show instead of an answer
    examples: tuple[str, ...] = ()  # questions offered on the empty page
    findings: tuple[tuple[str, str], ...] = ()  # (finding name, label) offered: malocclusions
    age_groups: tuple[tuple[str, str], ...] = ()  # (factor name, label): adolescent, adult


@dataclass(frozen=True)
class Page:
    passages: dict = field(default_factory=dict)  # statement id → passage JSON (standalone pages)
    statement_url: Optional[str] = None  # "/v1/statements/" when a service serves the passages


def render_html(answer: Optional[Answer], *, form: Optional[AskForm] = None, page: Page = Page(),
                fragment: bool = False) -> str:
    """The whole page (or, with ``fragment``, the answer alone, as a notebook shows it)."""
    body = _answer_html(answer) if answer is not None else ""
    if fragment:
        return f'<div class="tadlog">{_style()}{body}</div>'
    title = f"{answer.question} — tadlog" if answer is not None else "tadlog"
    config = {"statementUrl": page.statement_url}
    return "\n".join([
        "<!doctype html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>", _style(), "</head>", '<body class="tadlog">',
        '<header class="site"><p class="brand">tadlog</p>'
        '<p class="tagline">The cited clinical evidence on orthodontic mini-implants</p></header>',
        "<main>", _form_html(form) if form is not None else "",
        _error_html(form.error) if form is not None and form.error else "",
        f'<section id="answer" aria-live="polite">{body}</section>' if body else
        _examples_html(form) if form is not None and not form.error else "",
        "</main>", _dialog_html(),
        f'<script type="application/json" id="tadlog-passages">{_json(page.passages)}</script>',
        f'<script type="application/json" id="tadlog-config">{_json(config)}</script>',
        f"<script>{(ASSETS / 'page.js').read_text(encoding='utf-8')}</script>",
        "</body>", "</html>"]) + "\n"


def _style() -> str:
    return f"<style>{(ASSETS / 'page.css').read_text(encoding='utf-8')}</style>"


def _json(data) -> str:
    """JSON safe inside <script>: no '</' can close the element early."""
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/").replace("<!--", "<\\!--")


# ---- the ask box and patient form -----------------------------------------------------------
def _form_html(form: AskForm) -> str:
    options = "".join(f'<option value="{escape(n)}"></option>' for n in form.names)
    def boxes(choices) -> str:
        return "".join(f'<label class="factor"><input type="checkbox" name="factor" value="{escape(name)}"'
                       f'{" checked" if name in form.factors else ""}> {escape(label)}</label>'
                       for name, label in choices)

    def group(css: str, legend: str, choices) -> str:
        return (f'<fieldset class="{css}"><legend>{legend}</legend><div class="factors">{boxes(choices)}</div>'
                '</fieldset>') if choices else ""

    groups = ""
    if form.age_groups:
        ages = "".join(f'<option value="{escape(n)}"{" selected" if n in form.factors else ""}>{escape(label)}'
                       "</option>" for n, label in form.age_groups)
        groups = ('<label class="age-group">Age group <select id="age-group" name="factor">'
                  f'<option value="">not stated</option>{ages}</select></label>')
    age = "" if form.age is None else format_number(form.age)
    return (
        '<form id="ask" class="ask" method="get" action="/" role="search">'
        '<label for="q" class="q-label">Question</label>'
        '<div class="q-row">'
        f'<input id="q" name="q" type="search" list="names" autocomplete="off" required maxlength="1000" '
        f'placeholder="e.g. why not infrazygomatic? · sites for molar intrusion" value="{escape(form.question)}" '
        'aria-describedby="q-help">'
        '<button type="submit">Ask</button></div>'
        '<p id="q-help" class="help">Names complete as you type (↓ to choose). Type <kbd>help</kbd> for every kind of question.</p>'
        f'<datalist id="names">{options}</datalist>'
        '<fieldset class="patient"><legend>Patient (optional)</legend>'
        f'<label class="age">Age (years) <input id="age" name="age" type="number" min="0" max="130" step="any" '
        f'inputmode="decimal" value="{escape(age)}"></label>{groups}'
        + group("factor-group", "Factors", form.choices)
        + group("finding-group", "Findings", form.findings)
        + '</fieldset></form>')


def _examples_html(form: AskForm) -> str:
    from urllib.parse import quote

    links = "".join(f'<li><a href="/?q={quote(q)}">{escape(q)}</a></li>' for q in form.examples)
    return ('<section class="examples"><h2>Questions to start with</h2>'
            f'<ul>{links}</ul><p class="note">Each answer gives its reasons with the sources\' verbatim sentences, '
            'their place in the document and the kind of evidence; it supports, and does not replace, '
            'clinical judgement.</p></section>')


def _error_html(error: dict) -> str:
    where = ""
    if error.get("position") and error.get("question"):
        column = error["position"]["column"]
        text = error["question"]
        where = (f'<pre class="caret" aria-label="where in the question">{escape(text)}\n'
                 f'{" " * (column - 1)}{"^" * error["position"]["width"]}</pre>')
    hint = f'<p class="suggestion">{escape(error["suggestion"])}</p>' if error.get("suggestion") else ""
    return (f'<section id="error" class="error" role="alert"><h1>Not understood</h1>'
            f'<p>{escape(error["message"])} <span class="code">[{escape(error["code"])}]</span></p>{where}{hint}</section>')


# ---- the answer -------------------------------------------------------------------------------
def _answer_html(answer: Answer) -> str:
    token = _QUOTED.set(set())
    try:
        return _answer_parts(answer)
    finally:
        _QUOTED.reset(token)


def _answer_parts(answer: Answer) -> str:
    state = {True: "holds", False: "fails"}.get(answer.holds, "neutral")
    reading = getattr(answer, "reading", None)
    out = [f'<p class="question">{escape(answer.question)}</p>',
           f'<p class="reading" id="reading">{escape(reading.text)}</p>' if reading is not None else "",
           f'<h1 id="verdict" class="verdict {state}">{escape(answer.verdict)}</h1>']
    out.append(_patient_html(answer))
    if answer.unknowns:
        out.append(_list_section("Not stated, but would change the answer", answer.unknowns, "unknowns"))
    if answer.proof is not None:
        out.append(f'<section class="proof-main"><h2>Why (proof)</h2>{_proof_tree(answer.proof, answer, True)}</section>')
    for title, args, css in (("Reasons against", answer.arguments_against, "against"),
                             ("Reasons for", answer.arguments_for, "for"),
                             ("Recommended instead", answer.instead, "instead")):
        if args:
            out.append(_reasons_html(title, args, answer, css))
    if answer.items:
        out.append(_items_html(answer))
    if answer.why_not:
        out.append('<section class="blocks"><h2>What blocks it</h2>'
                   + "".join(_analysis_html(a, answer) for a in answer.why_not) + "</section>")
    if answer.would_change:
        out.append(_list_section("What would change the outcome", answer.would_change, "changes"))
    if answer.rows:
        out.append(_rows_html(answer))
    if answer.statements_shown:
        out.append('<section class="shown"><h2>Statements</h2>'
                   + "".join(_citation_html(answer.citations[s]) for s in answer.statements_shown
                             if s in answer.citations) + "</section>")
    also = [s for s in answer.also if s in answer.citations and s not in answer.statements_shown]
    if also:
        out.append('<section class="also"><h2>Also in the sources</h2>'
                   + "".join(_citation_html(answer.citations[s]) for s in also) + "</section>")
    if answer.conflicts:
        out.append(_conflicts_html(answer))
    if answer.notes:
        out.append('<section class="notes"><h2>Notes</h2>'
                   + "".join(f"<pre>{escape(n)}</pre>" if "\n" in n else f"<p>{escape(n)}</p>" for n in answer.notes)
                   + "</section>")
    return "\n".join(o for o in out if o)


def _patient_html(answer: Answer) -> str:
    if not answer.patient:
        return ""
    labels = dict(answer.patient_labels)
    parts = []
    for key, value in answer.patient:
        if key == "patient_age":
            parts.append(f"age {format_number(value)}")
        elif key == "patient_bmi":
            parts.append(f"BMI {format_number(value)}")
        else:
            parts.append(labels.get(value, str(value).replace("_", " ")))
    derived = f' <span class="derived">(counted as: {escape(", ".join(answer.derived_patient))})</span>' \
        if answer.derived_patient else ""
    return f'<p class="patient-line"><strong>Patient:</strong> {escape(", ".join(parts))}{derived}</p>'


def _list_section(title: str, entries: Sequence[str], css: str) -> str:
    return (f'<section class="{css}"><h2>{escape(title)}</h2><ul>'
            + "".join(f"<li>{escape(e)}</li>" for e in entries) + "</ul></section>")


def _badge(grade: str) -> str:
    level = GRADE_LEVEL.get(grade, "opinion")
    return (f'<span class="badge {level}" title="evidence: {escape(grade.replace("_", " "))} ({level})">'
            f'{escape(grade.replace("_", " "))}</span>')


def _reasons_html(title: str, args: Sequence[Argument], answer: Answer, css: str) -> str:
    head = [_argument_html(a, answer) for a in args[:SHOWN]]
    rest = [_argument_html(a, answer) for a in args[SHOWN:]]
    more = (f'<details class="more"><summary>{len(rest)} more reason{"s" if len(rest) != 1 else ""}</summary>'
            f'<ol class="args" start="{SHOWN + 1}">{"".join(rest)}</ol></details>') if rest else ""
    return (f'<section class="reasons {css}"><h2>{escape(title)} <span class="count">({len(args)})</span></h2>'
            f'<ol class="args">{"".join(head)}</ol>{more}</section>')


def _argument_html(arg: Argument, answer: Answer) -> str:
    cites = [answer.citations[s] for s in arg.proof.statements() if s in answer.citations]
    quotes = "".join(_citation_html(c) for c in cites[:2])
    extra = (f'<p class="also">and {len(cites) - 2} more source{"s" if len(cites) > 3 else ""} in the proof</p>'
             if len(cites) > 2 else "")
    proof = (f'<details class="proof"><summary>Proof</summary>{_proof_tree(arg.proof, answer, True)}</details>'
             if arg.proof.by == "rule" else "")
    return (f'<li class="arg"><p class="claim">{escape(arg.claim)}. {_badge(arg.evidence)}</p>'
            f"{quotes}{extra}{proof}</li>")


def _where(c: Citation) -> str:
    return f"{c.short or c.source} §{c.section}, lines {c.lines[0]}–{c.lines[1]}"


def _citation_html(c: Citation, again: bool = True) -> str:
    """A quote and its locator; with ``again``, a statement quoted earlier is referred to, not repeated."""
    facts = evidence_facts(c)
    where = _where(c)
    quoted = _QUOTED.get(None)
    if again and quoted is not None and c.statement in quoted:  # each quote once per answer; later, a reference
        return (f'<p class="cite again"><button type="button" class="quote ref" data-statement="{escape(c.statement)}" '
                f'data-where="{escape(c.document)}, section {escape(c.section)}" data-locator="{escape(where)}" '
                f'aria-label="Open the source passage of: {escape(where)}">{escape(where)}</button> '
                f'<span class="again-note">(quoted above)</span></p>')
    if quoted is not None:
        quoted.add(c.statement)
    return (f'<figure class="cite"><blockquote><button type="button" class="quote" data-statement="{escape(c.statement)}" '
            f'data-where="{escape(c.document)}, section {escape(c.section)}" data-locator="{escape(where)}" '
            f'aria-label="Open the source passage of: {escape(where)}">“{escape(c.quote)}”</button></blockquote>'
            f'<figcaption><cite>{escape(c.document)}</cite> · {escape(where)} · {escape(", ".join(facts))} '
            f'<code class="sid">{escape(c.statement)}</code></figcaption></figure>')


HOW = {"statement": "stated by the source", "input": "given for this patient", "unproved": "not proved"}


def _proof_tree(node: ProofNode, answer: Answer, open_top: bool) -> str:
    return f'<ul class="tree" role="tree">{_proof_node(node, answer, open_top, 0)}</ul>'


def _proof_node(node: ProofNode, answer: Answer, open_: bool, depth: int) -> str:
    how = f"by rule {node.rule}" if node.by == "rule" else HOW.get(node.by, node.by)
    conditions = "".join(f'<li class="cond">and {escape(c)}</li>' for c in node.conditions)
    cites = "".join(_citation_html(answer.citations[s]) for s in node.citations if s in answer.citations)
    rule_cites = "".join(_citation_html(answer.citations[s]) for s in node.rule_citations
                         if s in answer.citations) if node.by == "rule" else ""
    rationale = f'<p class="rationale">Rule rationale: {escape(node.rationale)}</p>' if node.rationale else ""
    label = f'<span class="claim">{escape(node.claim)}</span> <span class="how">({escape(how)})</span>'
    children = "".join(_proof_node(p, answer, True, depth + 1) for p in node.premises)
    truncated = '<li class="cut">… deeper steps not shown</li>' if node.truncated else ""
    inner = f"{cites}{rationale}{rule_cites}<ul>{conditions}{children}{truncated}</ul>" \
        if (children or conditions or truncated or rule_cites or rationale) else cites
    if node.by != "rule" and not children:
        return f'<li class="leaf {node.by}" role="treeitem">{label}{inner}</li>'
    return (f'<li role="treeitem"><details{" open" if open_ else ""}><summary>{label}</summary>{inner}'
            "</details></li>")


def _items_html(answer: Answer) -> str:
    rows = []
    for item in answer.items:
        args = "".join(_argument_html(a, answer) for a in item.arguments[:3])
        more = (f'<details class="more"><summary>{len(item.arguments) - 3} more</summary><ol class="args">'
                + "".join(_argument_html(a, answer) for a in item.arguments[3:]) + "</ol></details>"
                if len(item.arguments) > 3 else "")
        rows.append(f'<li class="item"><p class="summary">{escape(item.summary)}</p>'
                    f'{f"<ol class=args>{args}</ol>" if args else ""}{more}</li>')
    return f'<section class="items"><h2>Answer</h2><ol class="items">{"".join(rows)}</ol></section>'


def _analysis_html(a: RuleAnalysis, answer: Answer) -> str:
    held = f'<p class="held">{len(a.held)} condition{"s" if len(a.held) != 1 else ""} held</p>' if a.held else ""
    blocked = []
    for c in a.blocked_by:
        proof = "".join(_citation_html(answer.citations[s]) for s in c.proof.statements()
                        if s in answer.citations) if c.proof is not None else ""
        deeper = "".join(_analysis_html(d, answer) for d in c.explained)
        blocked.append(f'<li class="blocked"><span class="kind">{escape(KIND_WORDS.get(c.kind, c.kind))}</span> '
                       f"{escape(c.text)}{proof}{deeper}</li>")
    return (f'<div class="analysis"><p>Rule <code>{escape(a.rule)}</code> would conclude: {escape(a.conclusion)}</p>'
            f'{held}<ul>{"".join(blocked)}</ul></div>')


def _rows_html(answer: Answer) -> str:
    names = list(dict.fromkeys(k for row in answer.rows for k, _ in row))
    head = "".join(f"<th scope=col>{escape(n)}</th>" for n in names)
    body = "".join("<tr>" + "".join(f"<td>{escape(_value(dict(row).get(n, '')))}</td>" for n in names) + "</tr>"
                   for row in answer.rows)
    return f'<section class="rows"><h2>Rows</h2><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></section>'


def _value(v) -> str:
    return v if isinstance(v, str) else format_number(v)


def _conflicts_html(answer: Answer) -> str:
    blocks = []
    for conflict in answer.conflicts:
        sides = []
        for number, side in enumerate(conflict.sides, 1):
            quotes = "".join(_citation_html(answer.citations[s], again=False) for s in side if s in answer.citations)
            sides.append(f'<div class="side"><h4>Side {number}</h4>{quotes}</div>')
        note = f'<p class="note">{escape(conflict.note)}</p>' if conflict.note else ""
        blocks.append(f'<article class="conflict"><h3>{escape(conflict.topic)}</h3>{note}'
                      f'<div class="sides">{"".join(sides)}</div></article>')
    return f'<section class="conflicts"><h2>Sources disagree</h2>{"".join(blocks)}</section>'


def _dialog_html() -> str:
    return ('<dialog id="passage" aria-labelledby="passage-title">'
            '<div class="dialog-head"><h2 id="passage-title">Source passage</h2><code id="passage-sid" class="sid"></code>'
            '<button type="button" id="passage-close" aria-label="Close the source passage">Close</button></div>'
            '<p id="passage-where" class="where"></p><ol id="passage-lines" class="lines"></ol></dialog>')
