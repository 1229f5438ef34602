"""The knowledge-base cache: data, not code; keyed by content and engine source; any doubt re-parses.

Functional tests only (no timings): each builds a real cache entry from the bundled knowledge
base, damages or moves it the way a disk, a CI cache or an engine upgrade would, and checks
that the next load parses again and answers exactly as an uncached load does.
"""
from __future__ import annotations

import json
import os
import pickle
import shutil
import stat
import subprocess

import pytest

import tadlog
from tadlog import cache
from conftest import KB, run_cli

QUESTION = "why not the infrazygomatic crest for an adult with high MMPA?"


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A cache folder of the test's own, with the fallback in the test's temporary folder too."""
    where = tmp_path / "cache"
    monkeypatch.setenv("TADLOG_CACHE_DIR", str(where))
    monkeypatch.delenv("TADLOG_NO_CACHE", raising=False)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    return where


def _models(folder):
    """The model entries (kb-<key>.json), not the question indexes stored beside them (kb-<key>-<index>.json)."""
    return sorted(p for p in folder.glob("kb-*.json") if "-" not in p.stem[3:])


def _entry(folder):
    found = _models(folder)
    assert len(found) == 1, found
    return found[0]


def _same_answer(kb_a, kb_b, question=QUESTION):
    assert kb_a.ask(question).to_json() == kb_b.ask(question).to_json()


def test_second_load_reads_the_entry_and_answers_the_same(folder, kb):
    first = tadlog.load(KB)
    assert first.loaded_from == "parse"
    first.interpretation  # evaluating writes the relations into the entry
    second = tadlog.load(KB)
    assert second.loaded_from == "cache"
    assert second.model == kb.model and len(second.model.facts) == len(kb.model.facts)
    assert [d.to_json() for d in second.diagnostics] == [d.to_json() for d in kb.diagnostics]
    assert {p: second.interpretation.tuples(p) for p in kb.interpretation.relations} == dict(kb.interpretation.relations)
    _same_answer(second, kb)
    _same_answer(second, kb, "sites for molar intrusion for an adolescent with a high MMPA?")


def test_a_tuple_section_written_item_by_item_is_the_whole_encoding(kb):
    """Facts and statements are encoded one item at a time, as chunks written one after another (a
    first cache write at literature scale must not hold every fact's encoding, or the section, twice):
    the bytes are those of the whole tuple's encoding."""
    from tadlog.codec import _dumps, _dumps_tuple, _Encoder

    for items in (kb.model.facts, kb.model.statements, kb.model.facts[:1], ()):
        assert b"".join(_dumps_tuple(_Encoder(), items)) == _dumps(_Encoder()(items))


def test_entry_is_json_data_with_a_checked_header(folder):
    tadlog.load(KB).interpretation
    data = _entry(folder).read_bytes()
    header = json.loads(data[:data.index(b"\n")])
    assert header["type"] == cache.TYPE and header["format"] == cache.FORMAT
    assert set(header["sections"]) >= {"core", "facts", "statements", "relations", "relations_index", "mentions", "fact_rows"}
    with pytest.raises(pickle.UnpicklingError):
        pickle.loads(data)


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "pickle", "wrong_type", "wrong_format",
                                    "wrong_shape"])
def test_any_doubt_parses_again(folder, kb, damage):
    tadlog.load(KB).interpretation
    path = _entry(folder)
    data = path.read_bytes()
    newline = data.index(b"\n")
    header = json.loads(data[:newline])
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "flip":
        middle = newline + (len(data) - newline) // 2
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 0x55]) + data[middle + 1:])
    elif damage == "garbage":
        path.write_bytes(os.urandom(4096))
    elif damage == "pickle":  # the old format, or a planted object: never unpickled
        path.write_bytes(pickle.dumps(("model", "diagnostics")))
    elif damage in ("wrong_type", "wrong_format"):
        header["type" if damage == "wrong_type" else "format"] = "other" if damage == "wrong_type" else 1
        path.write_bytes(json.dumps(header).encode() + data[newline:])
    else:  # well-formed, checksummed JSON of the wrong shape
        import zlib

        body = b'{"unexpected": true}'
        header["sections"] = {"paths": [0, len(body), zlib.crc32(body)]}
        path.write_bytes(json.dumps(header).encode() + b"\n" + body)
    again = tadlog.load(KB)
    assert again.loaded_from == "parse"
    _same_answer(again, kb)
    again.interpretation
    assert tadlog.load(KB).loaded_from == "cache"  # the entry was rewritten whole


def test_stale_engine_source_is_never_served(folder, monkeypatch):
    tadlog.load(KB).interpretation
    assert tadlog.load(KB).loaded_from == "cache"
    monkeypatch.setattr(cache, "_engine_digest", "0" * 64)  # as after an edit of any engine .py file
    assert tadlog.load(KB).loaded_from == "parse"


def test_key_covers_the_package_source(tmp_path, monkeypatch):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "evaluate.py").write_text("x = 1\n")
    monkeypatch.setattr(cache, "PACKAGE_DIR", package)
    monkeypatch.setattr(cache, "_engine_digest", None)
    files = sorted(KB.rglob("*.tad"))
    before = cache.key_for(files)
    (package / "evaluate.py").write_text("x = 2\n")
    monkeypatch.setattr(cache, "_engine_digest", None)
    assert cache.key_for(files) != before


def test_kb_edit_changes_the_key(folder, tmp_path, kb):
    copy = tmp_path / "kb"
    shutil.copytree(KB, copy)
    tadlog.load(copy).interpretation
    target = copy / "sites" / "cousley_handbook_ch1.tad"
    target.write_text(target.read_text(encoding="utf-8") + "\n# a comment changes the bytes\n", encoding="utf-8")
    assert tadlog.load(copy).loaded_from == "parse"


def test_unwritable_folder_falls_back_to_a_private_one(tmp_path, monkeypatch, kb):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("TADLOG_CACHE_DIR", str(blocker / "cache"))  # cannot be created, even by root
    monkeypatch.delenv("TADLOG_NO_CACHE", raising=False)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    tadlog.load(KB).interpretation
    fallback = cache.fallback_dir()
    assert fallback.parent == tmp_path and list(fallback.glob("kb-*.json"))
    assert stat.S_IMODE(fallback.stat().st_mode) & 0o077 == 0
    again = tadlog.load(KB)
    assert again.loaded_from == "cache"
    _same_answer(again, kb)


def test_read_only_folder_is_read_and_never_written(folder, monkeypatch, kb):
    tadlog.load(KB).interpretation
    os.chmod(folder, 0o500)
    try:
        assert tadlog.load(KB).loaded_from == "cache"
    finally:
        os.chmod(folder, 0o700)


def test_a_fallback_folder_of_someone_else_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    fallback = cache.fallback_dir()
    fallback.mkdir(mode=0o777)
    os.chmod(fallback, 0o777)  # writable by others: entries there could be planted
    from tadlog.resources import usable_cache_dir

    assert not usable_cache_dir(fallback, create=False)


def test_folder_stays_within_its_bound(folder, monkeypatch, tmp_path):
    copy = tmp_path / "kb2"
    shutil.copytree(KB, copy)
    tadlog.load(KB).interpretation
    monkeypatch.setenv("TADLOG_CACHE_MAX_MB", "0.3")  # room for about one entry
    os.utime(_entry(folder), (1, 1))  # the older one
    tadlog.load(copy).interpretation
    left = _models(folder)
    assert len(left) == 1
    assert tadlog.load(copy).loaded_from == "cache" and tadlog.load(KB).loaded_from == "parse"


def test_cli_cache_info_and_clear(tmp_path):
    where = tmp_path / "cli-cache"
    env = {"TADLOG_CACHE_DIR": str(where), "TADLOG_NO_CACHE": ""}
    assert run_cli("ask", "why midpalate?", env_extra=env).returncode == 0
    info = run_cli("cache", "info", "--json", env_extra=env)
    assert info.returncode == 0, info.stderr
    report = json.loads(info.stdout)
    assert report["folder"] == str(where) and report["folders"][0]["entries"] >= 2
    cleared = run_cli("cache", "clear", env_extra=env)
    assert cleared.returncode == 0 and "removed" in cleared.stdout
    assert not list(where.glob("kb-*.json")) and not list(where.glob("*.lark.json"))
    assert run_cli("cache", env_extra=env).returncode == 2


def test_no_cache_variable_turns_it_off(tmp_path):
    where = tmp_path / "off"
    result = run_cli("ask", "why midpalate?", env_extra={"TADLOG_CACHE_DIR": str(where), "TADLOG_NO_CACHE": "1"})
    assert result.returncode == 0 and not where.exists()


def test_every_standard_question_answers_alike_from_the_cache(folder, kb):
    """Every standard and benchmark question: the cached knowledge base (relations, facts by
    predicate and the term index read from the entry) gives the uncached answer, in full."""
    tadlog.load(KB).interpretation
    cached = tadlog.load(KB)
    assert cached.loaded_from == "cache"
    root = KB.parent
    questions = [q.strip() for path in (KB / "questions.txt", root / "benchmarks" / "questions.txt")
                 for q in path.read_text(encoding="utf-8").splitlines() if q.strip() and not q.startswith("#")]
    assert len(questions) > 30
    for question in questions:
        try:
            expected = kb.ask(question).to_json()
        except tadlog.TadlogError as error:
            with pytest.raises(type(error)):
                cached.ask(question)
            continue
        assert cached.ask(question).to_json() == expected, question


def test_parser_tables_are_json_and_read_back_alike(folder):
    """lark's own cache is a pickle; ours is its serialised tables as JSON, read without code."""
    from lark import Lark

    from tadlog.resources import grammar_path, lark_parser

    options = dict(propagate_positions=False, maybe_placeholders=False)  # no tables ship for these
    lark_parser("kb.lark", **options)  # builds and stores
    stored = list(folder.glob("kb.lark.*.lark.json"))
    assert len(stored) == 1
    assert json.loads(stored[0].read_text())["type"] == "tadlog-lark-tables"
    from_tables = lark_parser("kb.lark", **options)  # read back
    fresh = Lark(grammar_path("kb.lark").read_text(encoding="utf-8"), parser="lalr", **options)
    for path in sorted(KB.rglob("*.tad"))[:12]:
        text = path.read_text(encoding="utf-8")
        assert from_tables.parse(text) == fresh.parse(text)
    stored[0].write_bytes(pickle.dumps({"type": "tadlog-lark-tables"}))  # planted: never unpickled
    assert lark_parser("kb.lark", **options).parse("p(a).") == fresh.parse("p(a).")


def test_a_cached_question_index_decodes_once_when_threads_reach_it_together(kb):
    """The service shares one model between threads; the first use of a cached index by several at
    once must give each of them the index (a second thread once got AttributeError mid-decode)."""
    import threading

    from tadlog.index_codec import LazyIndex, encode_index
    from tadlog.kb import QUESTION_INDEXES
    from tadlog.questions.names import name_index

    blob = encode_index(name_index(kb.model), kb.model)
    for _ in range(20):
        lazy = LazyIndex(blob, QUESTION_INDEXES["_name_index"], kb.model)
        start, seen, errors = threading.Barrier(8), [], []

        def use():
            start.wait()
            try:
                seen.append(len(lazy.keys))
            except Exception as exc:  # noqa: BLE001 - the failure under test
                errors.append(exc)

        threads = [threading.Thread(target=use) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors and len(set(seen)) == 1 and len(seen) == 8


def test_question_indexes_are_saved_when_first_built_and_read_back(folder, kb):
    """A raw query builds no question index and writes none; a question in words builds the name
    index, which is then stored beside the entry, and a fresh load reads it from there (undecoded
    until used) and answers exactly as a parse does."""
    from tadlog.index_codec import LazyIndex

    first = tadlog.load(KB)
    first.ask("? site_success_figure(S, F).")
    assert not list(folder.glob("kb-*-name_index.json"))
    first.ask(QUESTION)
    assert len(list(folder.glob("kb-*-name_index.json"))) == 1
    second = tadlog.load(KB)
    assert second.loaded_from == "cache"
    assert type(second.model.__dict__["_name_index"]) is LazyIndex
    _same_answer(second, kb)
    assert type(second.model.__dict__["_name_index"]) is not LazyIndex  # decoded on use
    before = sorted(p.name for p in folder.glob("kb-*"))
    second.ask(QUESTION)  # an index read from the cache is not written again
    assert sorted(p.name for p in folder.glob("kb-*")) == before


def test_a_cached_model_answers_lookups_without_decoding_every_fact_and_statement(folder, kb):
    """statement_by_id and one predicate's fact values come from sections of their own: equal to
    the parsed model's; neither they nor questions of each kind decode every fact or statement."""
    tadlog.load(KB).interpretation
    cached = tadlog.load(KB)
    model = cached.model
    assert cached.loaded_from == "cache"
    assert dict(model.statement_by_id) == kb.model.statement_by_id
    for predicate in {f.atom.predicate for f in kb.model.facts}:
        assert model.fact_values(predicate) == kb.model.fact_values(predicate)
    assert "_facts" not in model.__dict__ and "_statements" not in model.__dict__
    for question in ("why not infrazygomatic?", "sites for molar intrusion for an adolescent with a high MMPA?",
                     "how long should I wait before loading a mini-implant?", "infrazygomatic vs buccal shelf?"):
        _same_answer(cached, kb, question)
    assert "_facts" not in model.__dict__ and "_statements" not in model.__dict__


def test_an_index_that_changes_while_it_is_saved_is_saved_after_the_next_answer(folder, kb, monkeypatch):
    """The service answers in threads; one thread filling an index's sentence memo while another
    saves it makes the encoding fail (dictionary changed size). The answer must not fail: the save
    is retried after the next answer."""
    import tadlog.index_codec

    first = tadlog.load(KB)
    real, calls = tadlog.index_codec.encode_index, []

    def racing(index, model):
        calls.append(type(index).__name__)
        if len(calls) == 1:
            raise RuntimeError("dictionary changed size during iteration")
        return real(index, model)
    monkeypatch.setattr(tadlog.index_codec, "encode_index", racing)
    assert first.ask(QUESTION).to_json() == kb.ask(QUESTION).to_json()
    assert not list(folder.glob("kb-*-name_index.json"))
    first.ask(QUESTION)
    assert len(list(folder.glob("kb-*-name_index.json"))) == 1


def test_the_statement_index_is_stored_with_the_evaluation_and_read_key_by_key(folder, kb):
    """The evaluated entry is written with the statement index beside it; a fresh load answers as a
    parse does while decoding only the postings and statements its question looks up."""
    from tadlog.questions.forms.statements import statement_index

    tadlog.load(KB).interpretation
    assert len(list(folder.glob("kb-*-statement_index.json"))) == 1
    second = tadlog.load(KB)
    assert second.loaded_from == "cache"
    for question in (QUESTION, "how long should I wait before loading a mini-implant?", "why not infrazygomatic?"):
        _same_answer(second, kb, question)
    index = statement_index(second.model)
    assert index.from_cache
    built = statement_index(kb.model)
    assert 0 < len(index.postings._done) < len(built.postings) // 4
    assert 0 < len(index.per_statement._done) < len(built.per_statement) // 4
    for word in list(built.postings)[:50]:
        assert index.with_word(word) == built.with_word(word)
    for sid in list(built.per_statement)[:50]:
        assert (index.length(sid), index.wording(sid), index.terms_of(sid), index.facts_of(sid)) == (
            built.length(sid), built.wording(sid), built.terms_of(sid), built.facts_of(sid))
    before = sorted(p.name for p in folder.glob("kb-*"))
    second.ask(QUESTION)  # a stored index is not written again
    assert sorted(p.name for p in folder.glob("kb-*")) == before


# ---- entries read from the open file, written as they are encoded ---------------------------
def test_an_entry_replaced_or_removed_after_it_is_read_still_answers(folder, kb):
    """A cached knowledge base reads its sections from the file it checked, kept open: a newer
    entry written over it (a rename) or a ``cache clear`` meanwhile changes nothing it reads."""
    tadlog.load(KB).interpretation
    cached = tadlog.load(KB)
    assert cached.loaded_from == "cache"
    path = _entry(folder)
    planted = folder / "planted"
    planted.write_bytes(os.urandom(len(path.read_bytes())))
    os.replace(planted, path)
    _same_answer(cached, kb)
    path.unlink()
    _same_answer(cached, kb, "sites for molar intrusion for an adolescent with a high MMPA?")


def test_an_entry_cut_short_after_it_is_read_is_reported_as_damaged_never_decoded(folder, kb):
    """Changed in place after its checksums were checked (never done by tadlog, which renames a
    new entry over an old one), a section that can no longer be read whole is an E901 error
    naming the cure, not a wrong answer."""
    tadlog.load(KB).interpretation
    cached = tadlog.load(KB)
    with open(_entry(folder), "r+b") as handle:
        handle.truncate(4096)
    with pytest.raises(tadlog.TadlogError) as raised:
        cached.model.facts  # a whole section: read and checked when first used
    assert raised.value.diagnostics[0].code == "E901" and "cache clear" in str(raised.value)


def test_a_value_the_format_cannot_hold_leaves_no_entry_and_no_temporary_file(folder, kb):
    """Sections are encoded while the file is written: an encoding that fails halfway (a value of
    a type the format has no place for) removes the half-written file, and nothing is cached."""
    from dataclasses import replace

    from tadlog.kb import KnowledgeBase, write_cache
    from tadlog.language.model import Atom, Const, Fact

    odd = Fact(Atom("odd", (Const(object()),)), ("s1",))
    model = replace(kb.model, facts=kb.model.facts + (odd,))
    assert write_cache(KnowledgeBase(model, (), KB), evaluated=False) is None
    assert not list(folder.glob("kb-*")) and not list(folder.glob(".*.tmp"))  # (the key's file digests may be kept)


def test_a_keyed_section_is_written_after_its_blobs_or_not_at_all():
    """A keyed section's index is known once its blobs are made: consumed first, it would be an
    empty index, so asking for it first is refused."""
    from tadlog.codec import encode_keyed

    sections = encode_keyed({"m": {"a": 1, "b": [2]}}, {})
    with pytest.raises(RuntimeError):
        b"".join(sections["m_index"])
    sections = encode_keyed({"m": {"a": 1, "b": [2]}}, {})
    assert b"".join(sections["m"]) == b'1[2]' and json.loads(b"".join(sections["m_index"])) == [["a", "b"], [1, 4]]


def test_a_keyed_map_s_columns_are_read_by_position_and_a_column_of_another_shape_is_damage():
    """A keyed map's columns of integers (the quotes' lengths and wordings beside each
    statement's entry) read back as written, with no entry decoded; a column of another length
    than the keys is an E901 error, not a wrong value."""
    from tadlog.codec import decode_keyed, encode_keyed

    pairs = [("s1", [1], (12, 0)), ("s2", [2], (1, -1)), ("s3", [3], (40000, 0))]
    sections = {name: blob if isinstance(blob, bytes) else b"".join(blob) for name, blob in encode_keyed(
        {"m": iter(pairs)}, {"w": 1}, {"m": ("length", "wording")}).items()}
    maps, whole = decode_keyed(sections, {"m": tuple})
    lengths, wordings = maps["m"].column("length"), maps["m"].column("wording")
    assert dict(lengths) == {"s1": 12, "s2": 1, "s3": 40000} and dict(wordings) == {"s1": 0, "s2": -1, "s3": 0}
    assert not maps["m"]._done and lengths.get("s9") is None and whole == {"w": 1}
    assert maps["m"]["s2"] == (2,)
    damaged = dict(sections, m_index=b'[["s1", "s2", "s3"], [3, 6, 9], {"length": [12, 1]}]')
    with pytest.raises(tadlog.TadlogError) as raised:
        decode_keyed(damaged, {"m": tuple})
    assert raised.value.diagnostics[0].code == "E901"


def test_the_evaluated_entry_copies_the_model_sections_of_the_entry_written_first(folder, kb):
    """A first load writes the model's entry; the evaluation then writes the whole entry with the
    model's sections copied from the first file (the model is encoded once), even when that file
    is gone by then; the result is read back like any entry."""
    first = tadlog.load(KB)
    assert "_model_sections" in first.__dict__
    model_only = cache.read(first._cache_key).sections
    _entry(folder).unlink()
    first.interpretation
    assert "_model_sections" not in first.__dict__
    entry = cache.read(first._cache_key)
    assert {"relations", "mentions"} <= set(entry.sections)
    for name, span in model_only.items():
        assert bytes(entry.sections[name]) == bytes(span)
    again = tadlog.load(KB)
    assert again.loaded_from == "cache"
    _same_answer(again, kb)


def test_a_first_load_reads_the_indexes_it_wrote_back_from_the_cache(folder, kb):
    """Once the evaluated entry is written, the knowledge base that wrote it reads its term index
    and statement index from it key by key (neither is held whole beside the parsed model) and
    answers exactly as one that keeps them built."""
    from tadlog.questions.forms.statements import statement_index

    first = tadlog.load(KB)
    first.interpretation
    assert "_mentions" not in first.derivations.__dict__
    assert "_statement_index" not in first.model.__dict__
    for question in (QUESTION, "how long should I wait before loading a mini-implant?", "why not infrazygomatic?",
                     "sites for molar intrusion for an adolescent with a high MMPA?"):
        _same_answer(first, kb, question)
    assert statement_index(first.model).from_cache


def test_a_bounded_map_keeps_at_most_its_bound_and_decodes_again(folder, kb):
    """A keyed map with ``keep`` (the statement index's per-statement entries, the statements of a
    cached model) forgets decoded values past its bound and decodes them again, the same."""
    from tadlog import codec

    sections: dict = {}
    codec._keyed(sections, "things", ((f"s{i}", [i, f"term{i}"]) for i in range(10)))
    blob = b"".join(cache._chunks(sections["things"]))
    index = json.loads(b"".join(cache._chunks(sections["things_index"])))
    bounded = codec.LazyRelations(index, blob, tuple, keep=3)
    assert [bounded[f"s{i}"] for i in range(10)] == [(i, f"term{i}") for i in range(10)]
    assert len(bounded._done) <= 3
    assert bounded["s0"] == (0, "term0") and len(bounded) == 10
    tadlog.load(KB).interpretation  # parsed, evaluated and written
    cached = tadlog.load(KB)
    assert cached.loaded_from == "cache" and cached.model.statement_by_id._keep == codec.KEEP_STATEMENTS
    _same_answer(cached, kb)
