"""Least derivation heights (shortest proofs), computed over one atom's cone.

A proof is shown by its shortest derivation. Computing every fact's height before the first
answer cost seconds at literature scale; an answer needs the heights of a few atoms. The cone
of an atom (the atoms its rule applications rest on, recursively) holds everything that can
shorten its proof, so heights computed there equal those over the whole model.
"""
from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, Optional

from ..limits import check_budget
from .evaluate import canonical_value
from .facts import UNKNOWN

if TYPE_CHECKING:
    from .explain import Derivations


def _canon(atom):
    return (atom[0], tuple(canonical_value(v) for v in atom[1]))


def least_height(derivations: "Derivations", atom) -> Optional[int]:
    """Within the cone, Knuth's generalisation of Dijkstra's algorithm settles facts in order of
    height; an application fires once its last premise is settled, so each is touched once per
    premise (linear on long chains). Every height settled is kept on ``derivations``."""
    key = _canon(atom)
    if key in derivations._heights:
        return derivations._heights[key]
    leaf = derivations._leaf_height(atom, key)
    if leaf is not UNKNOWN:
        derivations._heights[key] = leaf
        return leaf
    cone, todo, leaves, steps = {}, [atom], {}, 0
    while todo:
        current = todo.pop()
        ckey = _canon(current)
        if ckey in cone or ckey in leaves:
            continue
        steps += 1
        if steps & 1023 == 0:
            check_budget()
        known = derivations._heights.get(ckey, UNKNOWN)
        if known is UNKNOWN:
            known = derivations._leaf_height(current, ckey)
        if known is not UNKNOWN:
            leaves[ckey] = known
            continue
        apps = derivations.applications_of(current)
        cone[ckey] = apps
        todo += [p for app in apps for p in app.premises]
    height = {k: h for k, h in leaves.items() if h is not None}
    queue = [(h, k) for k, h in height.items()]
    waiting: dict = {}  # premise → [(conclusion, countdown cell)]
    for ckey, apps in cone.items():
        for app in apps:
            premises = {_canon(p) for p in app.premises}
            if not premises:
                if 1 < height.get(ckey, 1 << 30):
                    height[ckey] = 1
                    queue.append((1, ckey))
                continue
            cell = [len(premises)]
            for premise in premises:
                waiting.setdefault(premise, []).append((ckey, cell))
    heapq.heapify(queue)
    settled: dict = {}
    while queue:
        level, ckey = heapq.heappop(queue)
        if ckey in settled or level > height.get(ckey, 1 << 30):
            continue
        settled[ckey] = level
        steps += 1
        if steps & 1023 == 0:
            check_budget()
        for conclusion, cell in waiting.pop(ckey, ()):
            cell[0] -= 1
            if cell[0] == 0 and conclusion not in settled and level + 1 < height.get(conclusion, 1 << 30):
                height[conclusion] = level + 1
                heapq.heappush(queue, (level + 1, conclusion))
    for ckey in cone:
        derivations._heights[ckey] = settled.get(ckey)
    return derivations._heights[key]
