"""The parser tables shipped in grammar/tables/ are those of today's grammars.

A first run after install reads them instead of building LALR tables (a quarter of a
first-ever ask). A grammar edited without rebuilding them fails here;
``TADLOG_UPDATE_GOLDEN=1 pytest tests/test_grammar_tables.py`` rebuilds them (and removes
stale ones), as for the golden files.
"""
from __future__ import annotations

import json
import os

import pytest

from tadlog import parser_tables, resources


@pytest.mark.parametrize("name", sorted(resources.PARSERS))
def test_shipped_tables_match_the_grammar(name):
    grammar, options = resources.PARSERS[name]
    text = resources.grammar_path(grammar).read_text(encoding="utf-8")
    path = resources.shipped_tables_path(grammar, text, options)
    if os.environ.get("TADLOG_UPDATE_GOLDEN"):
        resources.write_shipped_tables(grammar, options)
    assert path.is_file(), f"{path.name} is missing: rebuild with TADLOG_UPDATE_GOLDEN=1"
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored["type"] == "tadlog-lark-tables" and stored["format"] == parser_tables.FORMAT
    assert stored["data"] and stored["memo"]


def test_no_stale_tables_are_shipped():
    wanted = {resources.shipped_tables_path(g, resources.grammar_path(g).read_text(encoding="utf-8"), o).name
              for g, o in resources.PARSERS.values()}
    folder = resources.grammar_path("kb.lark").parent / "tables"
    if os.environ.get("TADLOG_UPDATE_GOLDEN"):
        for path in folder.glob("*.json"):
            if path.name not in wanted:
                path.unlink()
    assert {p.name for p in folder.glob("*.json")} == wanted


def test_the_shipped_tables_parse_as_the_built_ones(tmp_path, monkeypatch):
    """With no cache folder, a question is read through the shipped tables, exactly as through
    tables built from the grammar."""
    from lark import Lark

    monkeypatch.setenv("TADLOG_NO_CACHE", "1")
    grammar, options = resources.PARSERS["question"]
    built = Lark(resources.grammar_path(grammar).read_text(encoding="utf-8"), parser="lalr", **options)

    def no_build(*args, **kwargs):
        raise AssertionError("the tables were built, not read")
    monkeypatch.setattr(Lark, "__init__", no_build)
    shipped = resources.lark_parser(grammar, **options)
    for text in ("why not infrazygomatic?", "sites for molar intrusion in a 14 year old"):
        assert shipped.parse(text, start="start") == built.parse(text, start="start")
