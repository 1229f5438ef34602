"""An independent Datalog evaluator, used only as a test oracle.

Deliberately simple and separate from the engine: stratify by iterating stratum numbers
to a fixpoint, then evaluate each stratum naively until nothing changes. It reads the model
objects directly and shares no code with tadlog's compile/evaluate/explain modules.
"""
from __future__ import annotations

from tadlog.language.model import Atom, Const, Negation


def _strata(rules):
    preds = {r.head.predicate for r in rules}
    for r in rules:
        for l in r.body:
            a = l if isinstance(l, Atom) else getattr(l, "atom", None)
            if a is not None:
                preds.add(a.predicate)
    stratum = {p: 0 for p in preds}
    for _ in range(len(preds) + 2):
        changed = False
        for r in rules:
            h = r.head.predicate
            for l in r.body:
                if isinstance(l, Atom):
                    need = stratum[l.predicate]
                elif isinstance(l, Negation):
                    need = stratum[l.atom.predicate] + 1
                else:
                    continue
                if stratum[h] < need:
                    stratum[h] = need
                    changed = True
        if not changed:
            return stratum
    raise ValueError("not stratifiable")


def _value(term, env):
    return term.value if isinstance(term, Const) else env.get(term.name)


def _cmp(a, op, b):
    if isinstance(a, str) != isinstance(b, str):
        return op == "!="
    return {"=": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def _match(atom, row, env):
    env = dict(env)
    for arg, v in zip(atom.args, row):
        if isinstance(arg, Const):
            if not _cmp(arg.value, "=", v):
                return None
        elif arg.name != "_":
            if arg.name in env:
                if not _cmp(env[arg.name], "=", v):
                    return None
            else:
                env[arg.name] = v
    return env


def _norm(row):
    return tuple(("s", v) if isinstance(v, str) else ("n", float(v)) for v in row)


def _bodies(body, db, env):
    if not body:
        yield env
        return
    lit, rest = body[0], body[1:]
    if isinstance(lit, Atom):
        for row in list(db.get(lit.predicate, {}).values()):
            e = _match(lit, row, env)
            if e is not None:
                yield from _bodies(rest, db, e)
    elif isinstance(lit, Negation):
        # no row matches: '_' under 'not' matches any value (as in ASP), bound variables theirs
        rows = db.get(lit.atom.predicate, {}).values()
        if not any(_match(lit.atom, row, env) is not None for row in rows):
            yield from _bodies(rest, db, env)
    else:
        if _cmp(_value(lit.left, env), lit.op, _value(lit.right, env)):
            yield from _bodies(rest, db, env)


def evaluate(facts, rules) -> dict[str, set]:
    """facts: iterable of (predicate, values); rules: model Rules. Returns predicate → set of rows."""
    db: dict[str, dict] = {}
    for pred, row in facts:
        db.setdefault(pred, {})[_norm(row)] = tuple(row)
    stratum = _strata(rules)
    for level in sorted(set(stratum.values())):
        layer = [r for r in rules if stratum[r.head.predicate] == level]
        changed = True
        while changed:
            changed = False
            for r in layer:
                # positives first so negations and comparisons see bound variables
                body = [l for l in r.body if isinstance(l, Atom)] + [l for l in r.body if not isinstance(l, Atom)]
                new = [tuple(_value(a, env) for a in r.head.args) for env in _bodies(body, db, {})]
                table = db.setdefault(r.head.predicate, {})
                for row in new:
                    if _norm(row) not in table:
                        table[_norm(row)] = row
                        changed = True
    return {p: {_norm(r) for r in t.values()} for p, t in db.items()}
