"""The provenance graph of the bundled knowledge base."""
from __future__ import annotations

import json

import networkx as nx

from tadlog.engine.provenance import to_dot, to_graphml, to_node_link


def test_every_derived_fact_reaches_a_statement_and_a_document(kb):
    graph = kb.provenance
    derived = {r.head.predicate for r in kb.model.rules}
    statements = {n for n, d in graph.nodes(data=True) if d["kind"] == "statement"}
    documents = {n for n, d in graph.nodes(data=True) if d["kind"] == "document"}
    facts = [n for n, d in graph.nodes(data=True) if d["kind"] == "fact" and d["predicate"] in derived]
    assert facts, "no derived facts in the graph"
    definitions = {n for n, d in graph.nodes(data=True) if d["kind"] == "definition"}
    assert definitions, "the part-of hierarchy of sites is made of curator definitions"
    for node in facts:
        below = nx.descendants(graph, node)
        if below & statements:
            assert below & documents, node
        else:  # rests only on curator definitions (the part-of hierarchy), shown as such
            assert below & definitions and all(graph.nodes[d]["rationale"] for d in below & definitions), node
    assert {graph.nodes[d]["file"] for d in documents} == {s.file for s in kb.model.sources}


def test_exports_are_well_formed(kb):
    graph = kb.provenance
    assert to_dot(graph).count("->") == graph.number_of_edges()
    assert "<graphml" in to_graphml(graph)
    data = json.loads(to_node_link(graph))
    assert len(data["nodes"]) == graph.number_of_nodes()


def test_answer_subgraph_is_part_of_the_whole(kb):
    answer = kb.ask("why not infrazygomatic?")
    sub = answer.provenance
    assert sub.number_of_nodes() > 0
    assert set(sub.nodes) <= set(kb.provenance.nodes) | {n for n in sub.nodes if n.endswith("#absent")}
    assert {f"statement:{s}" for s in answer.citations} <= set(sub.nodes)
