"""Validate stage: every rule of the language, checked before anything reaches pyDatalog.

All problems are collected and returned together (never first-error-only), each with a
stable code. ``validate`` returns diagnostics; ``ensure_valid`` raises when any is an error.
Quote verification needs the seed texts, which are not shipped with the package: it runs
only when a sources folder is given, and says so plainly when the texts are missing.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

from .. import collector
from .dependency import negative_cycles
from ..limits import MAX_BODY_LITERALS
from ..errors import ERROR, INFO, WARNING, Diagnostic, ValidationError, did_you_mean
from .model import EVIDENCE_GRADES, NUMBER, STATEMENT_KINDS, SYMBOL, Atom, Const, KnowledgeBaseModel, Negation, Rule, Var
from .quotes import check_quote, number_in_quote, seed_path, seed_problem

ORDERING = {"<", "<=", ">", ">="}


@collector.paused()  # as parsing and evaluating: see collector.py
def validate(model: KnowledgeBaseModel, sources: Optional[Path] = None,
             check_quotes: bool = False) -> list[Diagnostic]:
    """All diagnostics of ``model``; quotes are checked against ``sources`` when asked."""
    out: list[Diagnostic] = []
    out += _duplicates(model)
    out += _sources_and_sections(model)
    out += _statements(model)
    out += _predicates(model)
    out += _terms(model)
    out += _conflicts(model)
    for fact in model.facts:
        out += _fact(model, fact)
    for rule in model.rules:
        out += _rule(model, rule)
    out += _stratification(model)
    out += _lint(model)
    if check_quotes:
        out += verify_quotes(model, sources)
    return sorted(out, key=Diagnostic.sort_key)


def ensure_valid(model: KnowledgeBaseModel, **kwargs) -> list[Diagnostic]:
    diagnostics = validate(model, **kwargs)
    if any(d.severity == ERROR for d in diagnostics):
        raise ValidationError(diagnostics)
    return diagnostics


def _d(code, message, location, severity=ERROR, suggestion=None) -> Diagnostic:
    return Diagnostic(code, message, location, severity, suggestion)


# ---- declarations -----------------------------------------------------------------------
def _duplicates(model: KnowledgeBaseModel) -> list[Diagnostic]:
    out = []
    groups = [("source", model.sources, lambda x: x.id), ("statement", model.statements, lambda x: x.id),
              ("term", model.terms, lambda x: x.name), ("predicate", model.predicates, lambda x: x.name),
              ("conflict", model.conflicts, lambda x: x.id),
              ("section", model.sections, lambda x: (x.source, x.number)),
              ("rule", [r for r in model.rules if r.explicit_label], lambda x: x.label)]
    for kind, items, key in groups:
        first: dict = {}
        for item in items:
            k = key(item)
            if k in first:
                shown = k if isinstance(k, str) else " ".join(k)
                out.append(_d("E101", f"{kind} {shown} is declared twice (first at {first[k].location})",
                              item.location))
            else:
                first[k] = item
    return out


def _sources_and_sections(model: KnowledgeBaseModel) -> list[Diagnostic]:
    out = []
    for section in model.sections:
        if section.source not in model.source_by_id:
            out.append(_d("E102", f"unknown source {section.source}", section.location,
                          suggestion=did_you_mean(section.source, model.source_by_id)))
        if section.lines and section.lines[0] > section.lines[1]:
            out.append(_d("E106", f"line range {section.lines[0]}-{section.lines[1]} runs backwards",
                          section.location))
    return out


def _statements(model: KnowledgeBaseModel) -> list[Diagnostic]:
    out = []
    sections: dict[str, dict[str, object]] = {}
    for section in model.sections:
        sections.setdefault(section.source, {})[section.number] = section
    for st in model.statements:
        if st.source and st.source not in model.source_by_id:
            out.append(_d("E102", f"statement {st.id} cites unknown source {st.source}", st.location,
                          suggestion=did_you_mean(st.source, model.source_by_id)))
        declared = sections.get(st.source)
        if declared and st.section and st.section not in declared:
            out.append(_d("E103", f"statement {st.id}: {st.source} has no section \"{st.section}\"",
                          st.location, suggestion=did_you_mean(st.section, declared)))
        elif declared and st.section in declared:
            sec = declared[st.section]
            if sec.lines and st.lines != (0, 0) and not (sec.lines[0] <= st.lines[0] and st.lines[1] <= sec.lines[1]):
                out.append(_d("W206", f"statement {st.id}: lines {st.lines[0]}-{st.lines[1]} fall outside "
                              f"section \"{sec.number}\" ({sec.lines[0]}-{sec.lines[1]})", st.location, WARNING))
        if st.kind and st.kind not in STATEMENT_KINDS:
            out.append(_d("E104", f"statement {st.id}: unknown kind '{st.kind}'", st.location,
                          suggestion=did_you_mean(st.kind, STATEMENT_KINDS) or
                          "kinds: " + ", ".join(STATEMENT_KINDS)))
        if st.evidence and st.evidence not in EVIDENCE_GRADES:
            out.append(_d("E105", f"statement {st.id}: unknown evidence grade '{st.evidence}'", st.location,
                          suggestion=did_you_mean(st.evidence, EVIDENCE_GRADES) or
                          "grades: " + ", ".join(EVIDENCE_GRADES)))
        if st.lines[0] > st.lines[1]:
            out.append(_d("E106", f"statement {st.id}: line range runs backwards", st.location))
        if st.location and not st.quote.strip():
            out.append(_d("E107", f"statement {st.id} has an empty quote", st.location))
    return out


def _predicates(model: KnowledgeBaseModel) -> list[Diagnostic]:
    out = []
    for pred in model.predicates:
        names = [p.name for p in pred.params]
        placeholders = re.findall(r"\{([^{}]*)\}", pred.template)
        for name in placeholders:
            if name not in names:
                out.append(_d("E130", f"template of {pred.name} names {{{name}}}, which is not an argument",
                              pred.location, suggestion=did_you_mean(name, names)))
        for name in names:
            if name not in placeholders:
                out.append(_d("E130", f"template of {pred.name} does not use argument {{{name}}}", pred.location))
        if len(set(names)) != len(names):
            out.append(_d("E133", f"predicate {pred.name} repeats an argument name", pred.location))
        if not re.sub(r"\{[^{}]*\}", "", pred.template).strip(" .,"):
            out.append(_d("W204", f"predicate {pred.name} has no English template", pred.location, WARNING))
        for param in pred.params:
            if param.category and param.category not in model.categories:
                out.append(_d("E009", f"argument {param.name} of {pred.name} has the unknown type "
                              f"'{param.category}' (symbol, number, or a term category)", pred.location,
                              suggestion=did_you_mean(param.category, sorted(model.categories) + [SYMBOL, NUMBER])))
    return out


def _terms(model: KnowledgeBaseModel) -> list[Diagnostic]:
    out = []
    owner: dict[str, str] = {}
    for term in model.terms:
        for word in {term.name.lower(), term.name.replace("_", " ").lower(),
                     *(a.lower() for a in term.aliases), *((term.label.lower(),) if term.label else ())}:
            if word in owner and owner[word] != term.name:
                out.append(_d("E131", f"alias \"{word}\" of {term.name} also names {owner[word]}",
                              term.location))
            owner.setdefault(word, term.name)
    return out


def _conflicts(model: KnowledgeBaseModel) -> list[Diagnostic]:
    out = []
    for conflict in model.conflicts:
        for sid in conflict.statements:
            if sid not in model.statement_by_id:
                out.append(_d("E132", f"conflict {conflict.id} names unknown statement {sid}",
                              conflict.location, suggestion=did_you_mean(sid, model.statement_by_id)))
    return out


# ---- facts and rules --------------------------------------------------------------------
def _atom(model: KnowledgeBaseModel, atom: Atom) -> list[Diagnostic]:
    pred = model.predicate_by_name.get(atom.predicate)
    if pred is None:
        return [_d("E110", f"undeclared predicate {atom.predicate}/{len(atom.args)}", atom.location,
                   suggestion=did_you_mean(atom.predicate, model.predicate_by_name))]
    if pred.arity != len(atom.args):
        return [_d("E111", f"{atom.predicate} takes {pred.arity} argument(s) "
                   f"({', '.join(p.name for p in pred.params)}), not {len(atom.args)}", atom.location)]
    out = []
    for param, arg in zip(pred.params, atom.args):
        if not isinstance(arg, Const):
            continue
        if param.type == NUMBER and arg.kind != NUMBER:
            out.append(_d("E112", f"argument {param.name} of {atom.predicate} is a number, not {arg.value!r}",
                          atom.location))
        elif param.type == SYMBOL and arg.kind == NUMBER:
            out.append(_d("E112", f"argument {param.name} of {atom.predicate} is a name, not the number "
                          f"{arg.value}", atom.location, suggestion=f"declare it as '{param.name}: number'"))
        elif arg.kind == SYMBOL and arg.value not in model.term_by_name:
            out.append(_d("E113", f"unknown term {arg.value}", arg.location or atom.location,
                          suggestion=did_you_mean(arg.value, model.term_by_name)
                          or "declare it with a 'term' declaration"))
        elif arg.kind == SYMBOL and param.category and model.category_of(arg.value) != param.category:
            out.append(_d("E117", f"{arg.value} is a {model.category_of(arg.value)}, but argument {param.name} "
                          f"of {atom.predicate} takes a {param.category}", arg.location or atom.location))
    return out


def _citations(model: KnowledgeBaseModel, cites: tuple[str, ...], location) -> list[Diagnostic]:
    return [_d("E115", f"cites unknown statement {sid}", location,
               suggestion=did_you_mean(sid, model.statement_by_id))
            for sid in cites if sid not in model.statement_by_id]


def _fact(model: KnowledgeBaseModel, fact) -> list[Diagnostic]:
    out = _atom(model, fact.atom)
    if not fact.atom.is_ground():
        out.append(_d("E116", f"a fact cannot contain variables ({', '.join(v.name for v in fact.atom.variables)})",
                      fact.location))
    if not fact.cites and not fact.rationale:
        out.append(_d("E114", f"fact {fact.atom.predicate}(...) cites no statement and is no curator "
                      "definition", fact.location,
                      suggestion="add: cites <statement>, or (where no sentence states it) because \"...\""))
    out += _citations(model, fact.cites, fact.location)
    quotes = [model.statement_by_id[s].quote for s in fact.cites if s in model.statement_by_id]
    for arg in fact.atom.args:
        if isinstance(arg, Const) and arg.kind == NUMBER and quotes and not any(
                number_in_quote(arg.value, q) for q in quotes):
            out.append(_e150(model, fact, arg))
    return out


def _e150(model: KnowledgeBaseModel, fact, arg) -> Diagnostic:
    """A number not in the quote it cites: say which numbers the quote does give."""
    from .model import format_number
    from .quotes import numbers_in

    given = [n for s in fact.cites if s in model.statement_by_id for n in numbers_in(model.statement_by_id[s].quote)]
    given = list(dict.fromkeys(given))
    shown = format_number(arg.value)
    there = f"; the quote gives {', '.join(given)}" if given else "; the quote gives no number"
    close = [n for n in given if sorted(n) == sorted(shown)] or [n for n in given if len(n) == len(shown)]
    fix = (f"did you mean {close[0]}? (or cite the statement that gives {shown})" if close
           else f"correct the number, or cite the statement that gives {shown}")
    return _d("E150", f"the number {shown} does not occur in the quote of {', '.join(fact.cites)}{there}",
              arg.location or fact.location, suggestion=fix)


def _rule(model: KnowledgeBaseModel, rule: Rule) -> list[Diagnostic]:
    out = _atom(model, rule.head)
    for literal in rule.body:
        if isinstance(literal, Atom):
            out += _atom(model, literal)
        elif isinstance(literal, Negation):
            out += _atom(model, literal.atom)
    if not rule.cites and not rule.rationale:
        out.append(_d("E114", f"rule {rule.label if rule.explicit_label else rule.head.predicate} cites no "
                      "statement and gives no rationale", rule.location,
                      suggestion="add: cites <statement>, or because \"...\""))
    out += _citations(model, rule.cites, rule.location)
    out += _size(rule)
    out += _safety(rule)
    out += _types(model, rule)
    out += _kinds(model, rule)
    return out


def _kinds(model: KnowledgeBaseModel, rule: Rule) -> list[Diagnostic]:
    """A variable bound to one term category (a site) is never used where another is declared."""
    seen: dict[str, tuple[str, str]] = {}
    out = []
    for atom in [*rule.positives, *(n.atom for n in rule.negatives), rule.head]:
        pred = model.predicate_by_name.get(atom.predicate)
        if pred is None or pred.arity != len(atom.args):
            continue
        for param, arg in zip(pred.params, atom.args):
            if not param.category or not isinstance(arg, Var) or arg.anonymous:
                continue
            first = seen.setdefault(arg.name, (param.category, atom.predicate))
            if first[0] != param.category:
                out.append(_d("E127", f"variable {arg.name} is a {first[0]} in {first[1]}(...) but a "
                              f"{param.category} in {atom.predicate}(...)", atom.location))
    return out


def _size(rule: Rule) -> list[Diagnostic]:
    """E126: a body longer than MAX_BODY_LITERALS (such rules only come from generated or hostile text)."""
    if len(rule.body) <= MAX_BODY_LITERALS:
        return []
    return [_d("E126", f"{'this query' if rule.label == 'query' else 'the rule'} has {len(rule.body)} conditions, "
               f"over the limit of {MAX_BODY_LITERALS}", rule.location,
               suggestion="split it into several rules with intermediate predicates")]


def _safety(rule: Rule) -> list[Diagnostic]:
    bound = {v.name for atom in rule.positives for v in atom.variables}
    out = []
    for v in rule.head.variables:
        if v.anonymous:
            out.append(_d("E120", "the head cannot contain the anonymous variable _", rule.head.location))
        elif v.name not in bound:
            out.append(_d("E120", f"unsafe variable {v.name}: it is in the head but in no positive "
                          "literal of the body", rule.head.location))
    for negation in rule.negatives:
        for v in negation.atom.variables:
            if not v.anonymous and v.name not in bound:
                out.append(_d("E121", f"unsafe variable {v.name}: a negated literal needs it bound by a "
                              "positive literal", negation.location))
    for comparison in rule.comparisons:
        for side in (comparison.left, comparison.right):
            if isinstance(side, Var) and (side.anonymous or side.name not in bound):
                out.append(_d("E122", f"unsafe variable {side.name}: a comparison needs it bound by a "
                              "positive literal", comparison.location))
    return out


def _types(model: KnowledgeBaseModel, rule: Rule) -> list[Diagnostic]:
    """Each variable has one type (symbol or number); ordering compares numbers only."""
    types: dict[str, str] = {}
    out = []
    for atom in [rule.head, *rule.positives, *(n.atom for n in rule.negatives)]:
        pred = model.predicate_by_name.get(atom.predicate)
        if pred is None or pred.arity != len(atom.args):
            continue
        for param, arg in zip(pred.params, atom.args):
            if isinstance(arg, Var) and not arg.anonymous:
                seen = types.setdefault(arg.name, param.type)
                if seen != param.type:
                    out.append(_d("E125", f"variable {arg.name} is used both as a {seen} and as a "
                                  f"{param.type}", atom.location))

    def type_of(term) -> Optional[str]:
        if isinstance(term, Const):
            return NUMBER if term.kind == NUMBER else SYMBOL
        return types.get(term.name)

    for comparison in rule.comparisons:
        left, right = type_of(comparison.left), type_of(comparison.right)
        if comparison.op in ORDERING:
            if left != NUMBER or right != NUMBER:
                out.append(_d("E124", f"'{comparison.op}' compares numbers; a side is not a number",
                              comparison.location))
        elif left and right and left != right:
            out.append(_d("E124", f"'{comparison.op}' compares a {left} with a {right}", comparison.location))
    return out


def _stratification(model: KnowledgeBaseModel) -> list[Diagnostic]:
    return [_d("E123", f"negation is not stratified: {rule.head.predicate} depends on "
               f"'not {negation.atom.predicate}', which depends on {rule.head.predicate}",
               negation.location, suggestion="break the cycle through negation")
            for rule, negation in negative_cycles(list(model.rules))]


# ---- lint -------------------------------------------------------------------------------
def _lint(model: KnowledgeBaseModel) -> list[Diagnostic]:
    """Copies (a fact again with a citation it already had, a quote repeated) and uncited statements.

    What is remembered per fact and per quote is small (the first fact of each atom, a quote's
    hash): keeping a list per atom and each normalised quote made this the peak of validating at
    100x (38 MiB over the model; now a third of that)."""
    out = []
    seen_facts: dict = {}  # atom -> its first fact, or a list once it has several
    for fact in model.facts:
        # The same fact from other statements is corroboration; from the same ones, a copy.
        earlier = seen_facts.setdefault(fact.atom, fact)
        if earlier is fact:
            continue
        earlier = earlier if isinstance(earlier, list) else [earlier]
        for first in earlier:
            if set(first.cites) & set(fact.cites):
                out.append(_d("W201", f"duplicate fact (also at {first.location} with the same citation)",
                              fact.location, WARNING, "delete one of them"))
                break
        seen_facts[fact.atom] = [*earlier, fact]
    seen_quotes: dict = {}  # (source, hash of the normalised quote) -> statements, compared in full on a match
    for st in model.statements:
        quote = " ".join(st.quote.split()).lower()
        candidates = seen_quotes.setdefault((st.source, hash(quote)), [])
        first = next((c for c in candidates if " ".join(c.quote.split()).lower() == quote), None)
        if first is not None and st.quote:
            out.append(_d("W202", f"statement {st.id} repeats the quote of {first.id}", st.location, WARNING))
        elif first is None:
            candidates.append(st)
    cited = {s for f in model.facts for s in f.cites} | {s for r in model.rules for s in r.cites} | \
        {s for c in model.conflicts for s in c.statements}
    for st in model.statements:
        if st.id not in cited:
            out.append(_d("I203", f"statement {st.id} is cited by no fact, rule or conflict", st.location, INFO))
    return out


# ---- quotes -----------------------------------------------------------------------------
def verify_quotes(model: KnowledgeBaseModel, sources: Optional[Path]) -> list[Diagnostic]:
    """Each statement's quote against its seed file; missing texts are an error, not a pass."""
    if sources is None:
        return [_d("E142", "cannot verify quotes: no sources folder given (use --sources DIR or set "
                   "TADLOG_SOURCES to the folder of seed texts; --no-quotes checks everything else)", None)]
    sources = Path(sources)
    if not sources.is_dir():
        return [_d("E142", f"cannot verify quotes: sources folder {sources} does not exist "
                   "(--no-quotes checks everything else)", None)]
    out = []
    unreadable: set[str] = set()
    for st in model.statements:
        source = model.source_by_id.get(st.source)
        if source is None or not source.file or source.file in unreadable:
            continue
        seed = seed_path(sources, source.file)
        problem = None
        if seed is None:
            problem = _d("E144", f"source file \"{source.file}\" of {source.id} is not a file name inside the "
                         "sources folder", source.location,
                         suggestion="name the seed text relative to the sources folder, without '..'")
        elif not seed.is_file():
            problem = _d("E141", f"source text {source.file} of {source.id} is not in {sources}", source.location)
        elif (why := seed_problem(seed)) is not None:
            problem = _d("E143", f"source text {source.file} of {source.id} cannot be read: {why}", source.location)
        if problem is not None:
            unreadable.add(source.file)
            out.append(problem)
            continue
        result = check_quote(seed, st.lines, st.quote)
        if not result.found:
            from .passages import quote_miss_hint

            hint = quote_miss_hint(seed, st.lines, st.quote, result.missing_fragment) \
                if result.missing_fragment is not None else None
            out.append(_d("E140", f"statement {st.id}: {result.message}", st.location, suggestion=hint))
    return out
