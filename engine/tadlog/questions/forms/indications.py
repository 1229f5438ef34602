"""Indications by plane of space, contraindications, and whether a factor is a contraindication.
"""
from __future__ import annotations


from ..answer import Answer, Item
from ..explainer import Explainer, rank
from ..query import Query
from .common import lower_first, patient_arguments, patient_factors, relevant_first, term_label

# ---- indications ------------------------------------------------------------------------------
def indications(explainer: Explainer, query: Query, *, depth: int, full: bool) -> Answer:
    plane = query.subject.term if query.subject else None
    rows = sorted(explainer.interpretation.tuples("indication"), key=lambda r: (str(r[1]), term_label(explainer, r[0])))
    by_indication: dict[str, list] = {}
    for indication, row_plane in rows:
        if plane is None or row_plane == plane:
            by_indication.setdefault(indication, []).append(("indication", (indication, row_plane)))
    items = []
    for indication, atoms in by_indication.items():
        arguments = tuple(explainer.argument(a, "neutral") for a in atoms)
        planes = ", ".join(term_label(explainer, a[1][1]) for a in atoms)
        summary = term_label(explainer, indication) + ("" if plane else f" ({planes})")
        items.append(Item(indication, term_label(explainer, indication), summary, arguments, 0.0))
    if plane is None:
        items.sort(key=lambda i: (i.summary.rsplit("(", 1)[-1], i.label))
        verdict = f"{len(items)} indications for mini-implant anchorage are recorded, by plane of space."
        if not full:  # one screen: each plane's indications in a line, with the source's own list
            items = _by_plane(explainer, by_indication)
    else:
        items.sort(key=lambda i: i.label)
        verdict = (f"{len(items)} indication{'s' if len(items) != 1 else ''} for mini-implant anchorage in the "
                   f"{term_label(explainer, plane)} plane.")
    subject = plane
    notes = _source_list(explainer, by_indication) if plane and len(items) > SOURCE_LIST else ()
    return Answer(query.text, query.form, verdict, subject, term_label(explainer, plane) if plane else None,
                  bool(items), items=tuple(items), notes=notes)


SOURCE_LIST = 4  # a plane with more indications than this quotes, above them, the source that lists most


def _source_list(explainer: Explainer, by_indication: dict[str, list]) -> tuple[str, ...]:
    """The statement that lists most of a plane's indications (the handbook's table of uses),
    quoted whole in one note, so the source's own words stand above the list of names."""
    cited: dict[str, int] = {}
    for atoms in by_indication.values():
        for sid in {sid for atom in atoms for sid in explainer.proof(atom).statements()}:
            cited[sid] = cited.get(sid, 0) + 1
    best = max(sorted(cited), key=lambda sid: cited[sid]) if cited else None
    if best is None or cited[best] < 3:
        return ()
    c = explainer.citation(best)
    lines = f"lines {c.lines[0]}-{c.lines[1]}" if c.lines else ""
    return (f"the source's list: {c.short} \u00a7{c.section}, {lines}: \u201c{c.quote}\u201d",)


def _by_plane(explainer: Explainer, by_indication: dict[str, list]) -> list[Item]:
    """One entry per plane of space: its indications by name, quoted from the statement that
    lists most of them (the handbook's table of uses), so the overview fits one screen."""
    planes: dict[str, list] = {}
    for atoms in by_indication.values():
        for atom in atoms:
            planes.setdefault(atom[1][1], []).append(atom)
    out = []
    for plane, atoms in sorted(planes.items(), key=lambda p: (-len(p[1]), term_label(explainer, p[0]))):
        cites = {atom: explainer.proof(atom).statements() for atom in atoms}  # each proof built once
        cited: dict[str, int] = {}
        for statements in cites.values():
            for sid in statements:
                cited[sid] = cited.get(sid, 0) + 1
        best = max(sorted(cited), key=lambda sid: cited[sid]) if cited else None
        citing = [a for a in atoms if best in cites[a]] or atoms
        lead = min(citing, key=lambda a: len(cites[a]))  # the list alone, if it can
        names = sorted({term_label(explainer, a[1][0]) for a in atoms})
        label = term_label(explainer, plane)
        summary = f"{label[:1].upper()}{label[1:]} ({len(names)}): " + ", ".join(names) + "."
        out.append(Item(plane, label, summary, (explainer.argument(lead, "neutral"),), float(len(names))))
    return out


# ---- contraindications ------------------------------------------------------------------------
def contraindications(explainer: Explainer, query: Query, *, depth: int, full: bool) -> Answer:
    con = rank([explainer.argument(("contraindication", row)) for row in
                sorted(explainer.interpretation.tuples("contraindication"), key=str)])
    pro = rank([explainer.argument(("not_a_contraindication", row)) for row in
                sorted(explainer.interpretation.tuples("not_a_contraindication"), key=str)])
    relative = [term_label(explainer, a.proof.atom[1][0]) for a in con]
    verdict = (f"The sources name {len(con)} contraindication{'s' if len(con) != 1 else ''} "
               f"({', '.join(relative) or 'none'}) and {len(pro)} factor{'s' if len(pro) != 1 else ''} "
               f"that are not contraindications.")
    if query.patient:
        mine = [explainer.argument(("patient_contraindication", row)) for row in
                sorted(explainer.interpretation.tuples("patient_contraindication"), key=str)]
        if mine:
            verdict = ("For this patient: " + "; ".join(lower_first(a.claim) for a in mine) + ". " + verdict)
        else:
            verdict = "None of this patient's factors is a recorded contraindication. " + verdict
        ppro, pcon = patient_arguments(explainer)
        covered = {a.proof.atom[1] for a in mine}
        rest = [a for a in pcon if a not in mine] + [a for a in con if a.proof.atom[1] not in covered]
        con = mine + relevant_first(rest, patient_factors(explainer))
        covered = {a.proof.atom[1] for a in ppro}
        pro = relevant_first(ppro + [a for a in pro if a.proof.atom[1] not in covered], patient_factors(explainer))
    return Answer(query.text, query.form, verdict, None, None, bool(con), arguments_against=tuple(con),
                  arguments_for=tuple(pro))


def is_contraindication(explainer: Explainer, query: Query, *, depth: int, full: bool) -> Answer:
    factor = query.subject.term
    label = term_label(explainer, factor)
    wanted = query.qualifier

    def fits(strength: str) -> bool:
        return wanted is None or str(strength).startswith(wanted)

    yes = [("contraindication", row) for row in sorted(explainer.interpretation.tuples("contraindication"), key=str)
           if row[0] == factor and fits(row[1])]
    no = [("not_a_contraindication", row) for row in
          sorted(explainer.interpretation.tuples("not_a_contraindication"), key=str)
          if row[0] == factor and fits(row[1])]
    pro, con = explainer.arguments_about(factor)
    pro = [a for a in pro if a.proof.atom[0] in ("not_a_contraindication", "not_a_risk_factor")]
    if yes:
        verdict = "Yes: " + "; ".join(lower_first(explainer.sentence(*a)) for a in yes) + "."
        proof, holds = explainer.proof(yes[0], depth=depth), True
    elif no:
        verdict = "No: " + "; ".join(lower_first(explainer.sentence(*a)) for a in no)
        verdict += ", but the sources raise concerns about it." if con else "."
        proof, holds = explainer.proof(no[0], depth=depth), False
    else:
        general = [("not_a_contraindication", row) for row in
                   sorted(explainer.interpretation.tuples("not_a_contraindication"), key=str)
                   if row[0] == "medical_condition"]
        verdict = f"No contraindication is recorded for {label}"
        verdict += " (the sources state there are no absolute medical contraindications)." if general else "."
        pro = pro + [explainer.argument(a, "for") for a in general]
        proof, holds = None, False
    return Answer(query.text, query.form, verdict, factor, label, holds, proof=proof,
                  arguments_against=tuple(con), arguments_for=tuple(rank(pro)))




def key_contraindications(explainer: Explainer, query: Query):
    return tuple(sorted(map(str, explainer.interpretation.tuples("patient_contraindication"))))


def describe_contraindications(explainer: Explainer, query: Query, key) -> str:
    rows = sorted(explainer.interpretation.tuples("patient_contraindication"), key=str)
    new = [r for r in rows if r[0] not in query.patient.factors]
    return "; ".join(f"{term_label(explainer, r[0])} would be a {term_label(explainer, r[1])} contraindication"
                     for r in new) or "no recorded contraindication would apply"


