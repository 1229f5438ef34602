"""The fast reader of .tad text gives the LALR parser's model exactly, locations included.

Every file of the knowledge base, and variations a curator may write (labels, comments in odd
places, ranges with spaces, negations, comparisons, keywords used as plain names), are read
both ways; the models are compared through the cache's encoding, which spells out every
field and every location. Text the fast reader cannot read is left to lark, so broken files
still get lark's diagnostics.
"""
from __future__ import annotations

import pytest

from tadlog.codec import _Encoder
from tadlog.language import fastparse, parse
from conftest import KB


def _both(text: str, path: str = "t.tad"):
    fast = parse.parse_text(text, path)
    tree = parse._parser().parse(text)
    diagnostics: list = []
    slow = (parse._transform(tree, path, text, 0, diagnostics), diagnostics)
    return fast, slow


def _same(fast, slow):
    enc = _Encoder()
    assert [enc(d) for d in fast[0]] == [enc(d) for d in slow[0]]
    assert [(d.code, d.message, enc(d.location)) for d in fast[1]] == \
           [(d.code, d.message, enc(d.location)) for d in slow[1]]


@pytest.mark.parametrize("path", sorted(KB.rglob("*.tad")), ids=lambda p: str(p.relative_to(KB)))
def test_every_knowledge_base_file_reads_alike(path):
    text = path.read_text(encoding="utf-8")
    fastparse.read(text, str(path))  # the fast reader takes every bundled file (no fallback)
    _same(*_both(text, str(path)))


VARIATIONS = [
    'source s1 title "T" authors "A", "B" year 2001 venue unknown kind textbook file "x.txt".',
    'section s1 "1.2" title "Intro" lines 12 - 18 clinical no.  # a comment\n',
    'statement st from s1 section "1.2" lines 3-4 kind finding evidence trial n 12 quote "a \\"b\\"\n  c".',
    'term t category site label "T" aliases "a", "b".',
    'conflict c topic "x" side a, b side c note "n".',
    'predicate p(site: site, n: number) "the {site} at {n}" for.\npredicate q(x) "q {x}".',
    'p(a, 1.5, "t") cites st, st2 because "why".\np(b, -2).',
    'rule r1:\n  q(X) :- p(X, N, _), N >= 1, not r(X), X != b cites st.',
    'q(X) :- p(X, _, _), p(X, _, T) because "t".  # unlabelled\n',
    '# only a comment\n',
    'p(section, cites, not, for).',
    'statement s2 from s1 section sec lines 10-11 kind opinion quote "x".',
    'source s title unknown authors unknown year unknown venue unknown kind unknown file "f".',
    'term t category site label "T" aliases "a", b patients "people".',
    'section s "1" title "t\\\\" clinical yes.\nsection s "2" title "a\n    b" lines 1-2 clinical no.',
    'predicate p(x: symbol, y: number) "{x} {y}" against.',
    'p(X) :- q(X, Y), Y = "a\n  text", 3 < Y, Y <= -4.5 cites s.',
    'rule for: p(X) :- q(X).\nrule rule: p(X) :- not q(X).',
    'statement s from x section "1" lines 1-2 kind finding population "p" ci "c" n 12.5 quote "q".',
]
LARK_ONLY = {VARIATIONS[1]}  # a range spelt with spaces around '-': lark's RANGE


@pytest.mark.parametrize("text", VARIATIONS)
def test_variations_read_alike(text):
    if text not in LARK_ONLY:
        fastparse.read(text, "t.tad")  # the fast reader takes it
    _same(*_both(text))


# Well-formed text the builder reports on: the fast reader leaves it to lark and the builder, so
# each diagnostic is made in one place.
BUILDER_FINDINGS = [
    ('term t category site label "T" colour "red".', "E003"),
    ('term t category site label "T" label "U".', "E004"),
    ('term t category site.', "E005"),
    ('term t category site, other label "T".', "E006"),
    ('term t category "site" label "T".', "E007"),
    ('section s "1" title "t" clinical maybe.', "E007"),
    ('conflict c topic "x" side a, b.', "E008"),
    ('conflict c topic "x" side a, "b" side c.', "E007"),
    ('p(1234567890123456).', "E011"),
    ('section s "1" title "t" lines 1-1234567890123456.', "E011"),
]


@pytest.mark.parametrize("text, code", BUILDER_FINDINGS)
def test_what_the_builder_reports_is_the_builder_s(text, code):
    with pytest.raises(fastparse.NotFast):
        fastparse.read(text, "t.tad")
    fast, slow = _both(text)
    _same(fast, slow)
    assert code in [d.code for d in fast[1]]


@pytest.mark.parametrize("text", ["p(a", "rule r: p(X).", "p(a) :- .", "p(a). ?",
                                  'predicate p(x) "t" format.', "source(x).", "p(X) :- not(X).",
                                  "p(a).\u00a0p(b).", "p(a).\vp(b)."])
def test_what_the_fast_reader_refuses_is_lark_s_to_report(text):
    with pytest.raises(fastparse.NotFast):
        fastparse.read(text, "t.tad")
    decls, diagnostics = parse.parse_text(text)
    assert any(d.code == "E001" for d in diagnostics)


def test_text_the_fast_reader_refuses_but_lark_reads_is_read_by_lark():
    text = 'section s "1" title "t" lines 1- 2.'  # a range spelt with a lone '-': lark's RANGE
    with pytest.raises(fastparse.NotFast):
        fastparse.read(text, "t.tad")
    decls, diagnostics = parse.parse_text(text)
    assert not diagnostics and decls[0].lines == (1, 2)


def test_mutated_knowledge_base_text_the_fast_reader_takes_reads_as_lark_and_the_builder_read_it():
    """Seeded edits (a character deleted, inserted or replaced) of stretches of the bundled files:
    whatever the fast reader still takes, lark parses and the builder builds alike, without a
    finding; whatever it refuses is left to them (tested above)."""
    import random
    import re

    from lark.exceptions import UnexpectedInput

    rng = random.Random(10)
    files = sorted(KB.rglob("*.tad"))
    alphabet = list('abX_09.,():-<>=!"#\\ \n\t\u00a0') + ["not", "cites", "because", "rule", "12-18", "1.5", '"x"']
    taken = 0
    for _ in range(300):
        text = rng.choice(files).read_text(encoding="utf-8")
        ends = [0] + [m.end() for m in re.finditer(r"\.[ \t]*(#[^\n]*)?\n", text)]
        at = rng.randrange(len(ends))
        text = text[ends[at]:ends[min(len(ends) - 1, at + 6)]] or text
        for _ in range(rng.randint(1, 3)):
            pos = rng.randrange(len(text) + 1)
            edit = rng.random()
            keep = pos + 1 if edit < 0.7 else pos
            text = text[:pos] + ("" if edit < 0.35 else rng.choice(alphabet)) + text[keep:]
        try:
            fast = fastparse.read(text, "t.tad")
        except fastparse.NotFast:
            continue
        taken += 1
        try:
            tree = parse._parser().parse(text)
        except UnexpectedInput:
            pytest.fail(f"the fast reader took text lark refuses: {text!r}")
        diagnostics: list = []
        slow = parse._transform(tree, "t.tad", text, 0, diagnostics)
        assert not diagnostics, text
        _same((fast, []), (slow, diagnostics))
    assert taken > 50  # both ways exercised
