"""An argument's proof is built when first read (answer.PendingProof) and reads as if built at once.

Issue 10: at 100x a why-not has 1,500 reasons and its compact text shows a few. Ranking,
grouping and counting read the statements a proof will cite (Explainer.proof_statements), so
the proofs of reasons nobody reads are never built. These tests hold each pending proof to the
proof built at once, and the compact text of a grown knowledge base (more reason groups than
it shows) to the text of the same answer with every proof built first. No timings.
"""
from __future__ import annotations

import pickle
import sys
from pathlib import Path

import pytest

import tadlog
from conftest import KB
from tadlog.questions.answer import PendingProof
from tadlog.questions.explainer import Explainer

QUESTIONS = ["why not infrazygomatic?", "why midpalate?", "risks of infrazygomatic crest?",
             "sites for molar intrusion?"]


def _arguments(answer):
    return [a for a in answer.arguments_for + answer.arguments_against + answer.instead
            + tuple(a for item in answer.items for a in item.arguments)]


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_pending_proof_is_the_proof_built_at_once(kb, question):
    answer = kb.ask(question)
    eager = Explainer(kb.model, kb.derivations)
    for argument in _arguments(answer):
        statements, fact = argument.statements(), argument.fact  # read before the proof is built
        proof = argument.proof
        assert proof == eager.proof(fact)
        assert fact == proof.atom and statements == proof.statements()
        assert argument.claim == proof.claim
        assert type(argument.__dict__["_proof"]) is not PendingProof  # built once, then kept


def test_an_argument_is_pickled_with_its_proof_built(kb):
    argument = kb.ask("why not infrazygomatic?").arguments_against[-1]
    copy = pickle.loads(pickle.dumps(argument))
    assert copy == argument and type(copy.__dict__["_proof"]) is not PendingProof


@pytest.fixture(scope="module")
def grown(tmp_path_factory):
    """The bundled knowledge base grown three times (benchmarks/grow.py): more reason groups
    than the compact view shows."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from grow import grow

    kb_dir, _ = grow(KB, None, tmp_path_factory.mktemp("grown"), 3)
    return tadlog.load(kb_dir, use_cache=False)


def test_compact_text_builds_only_the_proofs_it_shows(grown):
    from tadlog.render.claims import reason_groups
    from tadlog.render.text import SIDE_MOST

    answer = grown.ask("why not infrazygomatic?")
    groups = list(reason_groups(answer.arguments_against).values())
    assert len(groups) > SIDE_MOST
    compact, narrow = answer.to_text(), answer.to_text(colour=True, width=60)
    unbuilt = [a for group in groups[SIDE_MOST:] for a in group if type(a.__dict__["_proof"]) is PendingProof]
    assert unbuilt, "the compact text built the proofs of reasons it only counts"
    for argument in _arguments(answer):
        argument.proof  # noqa: B018 (builds it)
    assert (answer.to_text(), answer.to_text(colour=True, width=60)) == (compact, narrow)
