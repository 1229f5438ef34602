"""Coverage: how much of each source document the knowledge base has encoded.

Counts statements per document, per declared section and per topic folder (the area of
``kb/<topic>/``), and lists the clinical sections that no statement cites yet — the gaps a
curator should fill next.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..language.model import KnowledgeBaseModel


@dataclass(frozen=True)
class SectionCoverage:
    source: str
    number: str
    title: str
    lines: Optional[tuple[int, int]]
    clinical: bool
    statements: int


@dataclass(frozen=True)
class Coverage:
    documents: tuple[tuple[str, str, int, int], ...]  # source id, title, statements, facts citing them
    sections: tuple[SectionCoverage, ...]
    areas: tuple[tuple[str, int], ...]
    kinds: tuple[tuple[str, int], ...]

    @property
    def uncovered(self) -> tuple[SectionCoverage, ...]:
        return tuple(s for s in self.sections if s.clinical and s.statements == 0)

    def to_json(self) -> dict:
        return {
            "schema": "tadlog.coverage/1",
            "documents": [{"source": s, "title": t, "statements": n, "facts": f} for s, t, n, f in self.documents],
            "sections": [{"source": s.source, "section": s.number, "title": s.title,
                          "lines": list(s.lines) if s.lines else None, "clinical": s.clinical,
                          "statements": s.statements} for s in self.sections],
            "areas": {a: n for a, n in self.areas},
            "kinds": {k: n for k, n in self.kinds},
            "uncovered": [{"source": s.source, "section": s.number, "title": s.title} for s in self.uncovered],
        }

    def to_text(self) -> str:
        out = ["Statements per document"]
        for source, title, n, facts in self.documents:
            out.append(f"  {source:<28} {n:>4} statements, {facts:>4} facts  {title}")
        out.append("Statements per area (kb/<topic>/)")
        out += [f"  {area:<28} {n:>4}" for area, n in self.areas]
        out.append("Statements per kind")
        out += [f"  {kind:<28} {n:>4}" for kind, n in self.kinds]
        out.append("Statements per section")
        for s in self.sections:
            flag = "" if s.clinical else "  (not clinical)"
            mark = "  <-- none" if s.clinical and s.statements == 0 else ""
            out.append(f"  {s.source:<28} {s.number[:28]:<28} {s.statements:>4}{flag}{mark}")
        gaps = self.uncovered
        out.append(f"{len(gaps)} clinical section(s) without statements" + (":" if gaps else "."))
        out += [f"  {s.source} {s.number} {s.title}" for s in gaps]
        return "\n".join(out) + "\n"


def coverage(model: KnowledgeBaseModel) -> Coverage:
    per_section: dict[tuple[str, str], int] = {}
    per_source: dict[str, int] = {}
    per_area: dict[str, int] = {}
    per_kind: dict[str, int] = {}
    root = Path(model.root) if model.root else None
    for st in model.statements:
        per_section[(st.source, st.section)] = per_section.get((st.source, st.section), 0) + 1
        per_source[st.source] = per_source.get(st.source, 0) + 1
        per_kind[st.kind] = per_kind.get(st.kind, 0) + 1
        area = _area(st.location.path if st.location else "", root)
        per_area[area] = per_area.get(area, 0) + 1
    facts_per_source: dict[str, int] = {}
    for fact in model.facts:
        for source in {model.statement_by_id[s].source for s in fact.cites if s in model.statement_by_id}:
            facts_per_source[source] = facts_per_source.get(source, 0) + 1
    documents = tuple((s.id, s.title or "", per_source.get(s.id, 0), facts_per_source.get(s.id, 0))
                      for s in model.sources)
    sections = tuple(SectionCoverage(s.source, s.number, s.title or "", s.lines, s.clinical,
                                     _count(s, model.sections, per_section)) for s in model.sections)
    return Coverage(documents, sections, tuple(sorted(per_area.items())), tuple(sorted(per_kind.items())))


def _count(section, sections, per_section) -> int:
    """A chapter heading whose text is all in its subsections is covered through them."""
    own = per_section.get((section.source, section.number), 0)
    prefix = section.number + "."
    children = [s for s in sections if s.source == section.source and s is not section and (
        s.number.startswith(prefix) or _inside(s.lines, section.lines))]
    return own + sum(per_section.get((c.source, c.number), 0) for c in children)


def _inside(inner, outer) -> bool:
    return bool(inner and outer) and outer[0] <= inner[0] and inner[1] <= outer[1] and inner != outer


def _area(path: str, root: Optional[Path]) -> str:
    p = Path(path)
    try:
        rel = p.resolve().relative_to(root.resolve()) if root else p
    except ValueError:
        rel = p
    return rel.parts[0] if len(rel.parts) > 1 else "(top level)"
