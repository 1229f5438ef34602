"""Provenance graph (networkx): documents, statements, facts, rules, rule applications.

Edges point from what is concluded to what it rests on: derived fact → rule application →
{rule, premise facts}; base fact → statement → document; rule → the statements it cites.
Every derived fact therefore reaches at least one statement. networkx is imported here only,
so questions that never ask for a graph never pay for it.
"""
from __future__ import annotations

import json
from typing import Iterable, Optional

from .explain import Derivations, GroundAtom
from ..language.model import KnowledgeBaseModel, format_number


def fact_id(atom: GroundAtom) -> str:
    args = ", ".join(v if isinstance(v, str) else "_" if v is None else format_number(v) for v in atom[1])
    return f"fact:{atom[0]}({args})"


def build_graph(model: KnowledgeBaseModel, derivations: Derivations, atoms: Optional[Iterable[GroundAtom]] = None):
    """The provenance graph of ``atoms`` (everything true when None), down to documents."""
    import networkx as nx

    graph = nx.DiGraph()
    if atoms is None:
        atoms = [(p, row) for p, rows in derivations.interpretation.relations.items() for row in sorted(rows, key=str)]
    todo = list(atoms)
    done = set()
    while todo:
        atom = todo.pop()
        node = fact_id(atom)
        if node in done:
            continue
        done.add(node)
        graph.add_node(node, kind="fact", predicate=atom[0], label=model.sentence(*atom))
        cites = derivations.citations_of(atom)
        for sid in cites:
            _statement(graph, model, sid)
            graph.add_edge(node, f"statement:{sid}", relation="cites")
        rationale = derivations.definition_of(atom)
        if rationale:  # a curator definition: its own node, never a statement
            graph.add_node(f"definition:{node[5:]}", kind="definition", label="curator definition",
                           rationale=rationale)
            graph.add_edge(node, f"definition:{node[5:]}", relation="defined_by")
        if atom in derivations.inputs:
            graph.nodes[node]["kind"] = "input"
        for number, app in enumerate(derivations.applications_of(atom)):
            app_node = f"application:{app.rule.label}:{node[5:]}:{number}"
            graph.add_node(app_node, kind="application", rule=app.rule.label,
                           label=f"{app.rule.label} concludes {model.sentence(*atom)}")
            graph.add_edge(node, app_node, relation="derived_by")
            rule_node = f"rule:{app.rule.label}"
            if rule_node not in graph:
                graph.add_node(rule_node, kind="rule", label=app.rule.label, rationale=app.rule.rationale or "")
                for sid in app.rule.cites:
                    _statement(graph, model, sid)
                    graph.add_edge(rule_node, f"statement:{sid}", relation="cites")
            graph.add_edge(app_node, rule_node, relation="applies")
            for premise in app.premises:
                graph.add_edge(app_node, fact_id(premise), relation="premise")
                todo.append(premise)
            for absent in app.absent:
                graph.add_node(fact_id(absent) + "#absent", kind="absent", label="not " + model.sentence(*absent))
                graph.add_edge(app_node, fact_id(absent) + "#absent", relation="negation")
    return graph


def _statement(graph, model: KnowledgeBaseModel, sid: str) -> None:
    node = f"statement:{sid}"
    if node in graph:
        return
    st = model.statement_by_id[sid]
    graph.add_node(node, kind="statement", label=sid, quote=st.quote, section=st.section,
                   lines=f"{st.lines[0]}-{st.lines[1]}", statement_kind=st.kind, evidence=st.grade)
    doc = f"document:{st.source}"
    if doc not in graph:
        source = model.source_by_id.get(st.source)
        graph.add_node(doc, kind="document", label=(source.title if source and source.title else st.source),
                       file=(source.file if source and source.file else ""))
    graph.add_edge(node, doc, relation="quoted_from")


def answer_graph(model: KnowledgeBaseModel, derivations: Derivations, answer):
    """The subgraph an answer rests on: its proofs, arguments and blocking conditions."""
    atoms = []
    arguments = answer.arguments_for + answer.arguments_against + answer.instead
    arguments += tuple(a for item in answer.items for a in item.arguments)
    proofs = [a.proof for a in arguments] + [a.via for a in arguments if a.via is not None]
    if answer.proof:
        proofs.append(answer.proof)
    for analysis in answer.why_not:
        proofs += [c.proof for c in analysis.blocked_by if c.proof]
    for proof in proofs:
        atoms += proof.atoms()
    graph = build_graph(model, derivations, atoms)
    for sid in answer.citations:
        _statement(graph, model, sid)
    return graph


# ---- exports ------------------------------------------------------------------------------
def to_dot(graph) -> str:
    shapes = {"document": "folder", "statement": "note", "fact": "box", "input": "box", "rule": "hexagon",
              "application": "ellipse", "absent": "box", "definition": "note"}
    lines = ["digraph provenance {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=10];']
    for node, data in sorted(graph.nodes(data=True)):
        label = data.get("label", node)
        lines.append(f'  {_dot_quote(node)} [label={_dot_quote(_short(label))}, shape={shapes.get(data.get("kind"), "box")}];')
    for a, b, data in sorted(graph.edges(data=True)):
        lines.append(f'  {_dot_quote(a)} -> {_dot_quote(b)} [label={_dot_quote(data.get("relation", ""))}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _dot_quote(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def to_graphml(graph) -> str:
    import io

    import networkx as nx

    buffer = io.BytesIO()
    nx.write_graphml(graph, buffer)
    return buffer.getvalue().decode("utf-8")


def to_node_link(graph) -> str:
    import networkx as nx

    return json.dumps(nx.node_link_data(graph, edges="links"), indent=2, sort_keys=True, default=str)
