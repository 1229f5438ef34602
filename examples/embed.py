"""Embedding tadlog: load the knowledge base, ask a question, walk the answer's provenance.

Run: python examples/embed.py ["question"]
"""
from __future__ import annotations

import sys

import tadlog


def main(question: str = "why not infrazygomatic?") -> int:
    kb = tadlog.load()  # the bundled knowledge base
    try:
        answer = kb.ask(question)
    except tadlog.TadlogError as error:  # one root class for every stage's errors
        print(error.render(), file=sys.stderr)
        return 1

    print("verdict:", answer.verdict)
    strongest = (answer.arguments_against or answer.arguments_for)[:1]
    for argument in strongest:
        print(f"strongest reason ({argument.stance}, {argument.evidence}): {argument.claim}")

    # The provenance graph: conclusions point to rule applications, facts, statements, documents.
    graph = answer.provenance
    kinds = {}
    for _, data in graph.nodes(data=True):
        kinds[data["kind"]] = kinds.get(data["kind"], 0) + 1
    print("provenance nodes:", ", ".join(f"{k}={v}" for k, v in sorted(kinds.items())))

    # Walk from each fact down to the documents it rests on.
    import networkx as nx

    documents = [n for n, d in graph.nodes(data=True) if d["kind"] == "document"]
    for node, data in sorted(graph.nodes(data=True)):
        if data["kind"] != "fact":
            continue
        reached = sorted(graph.nodes[d]["label"] for d in documents if nx.has_path(graph, node, d))
        print(f"- {data['label']}\n    rests on: {'; '.join(reached)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(" ".join(sys.argv[1:]) or "why not infrazygomatic?"))
