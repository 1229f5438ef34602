"""Files' remembered content hashes (engine/tadlog/digests.py): reused only while a file's status
is unchanged and was not racily fresh when hashed, so the cache key stays a key by content."""
from __future__ import annotations

import hashlib
import json
import os

import pytest

from tadlog import digests


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("TADLOG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("TADLOG_NO_CACHE", raising=False)
    monkeypatch.setattr(digests, "_LOADED", {})
    return tmp_path


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _memo(folder) -> dict:
    return json.loads((folder / "cache" / digests.MEMO_NAME).read_text())["entries"]


def _forge(folder, path, digest: str, hashed_after_change_ns: int) -> None:
    """A memo entry with ``path``'s exact status, a chosen digest, hashed that long after its change."""
    status = os.stat(path)
    entry = [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, digest,
             status.st_ctime_ns + hashed_after_change_ns]
    (folder / "cache").mkdir(exist_ok=True)
    (folder / "cache" / digests.MEMO_NAME).write_text(json.dumps({"type": digests.KIND,
                                                                   "entries": {str(path): entry}}))
    digests._LOADED.clear()


def test_the_digest_is_the_content_hash_and_is_remembered(folder):
    a, b = folder / "a.tad", folder / "b.tad"
    a.write_bytes(b"fact one.")
    b.write_bytes(b"fact two.")
    assert digests.file_digests([a, b]) == [_sha(b"fact one."), _sha(b"fact two.")]
    assert _memo(folder)[str(a)][4] == _sha(b"fact one.")


def test_an_old_unchanged_file_is_not_read_again(folder):
    path = folder / "a.tad"
    path.write_bytes(b"fact one.")
    _forge(folder, path, "f" * 64, hashed_after_change_ns=digests.RACY_MARGIN_NS + 10**9)
    assert digests.file_digests([path]) == ["f" * 64]  # the memo answered: the file was not hashed


def test_a_file_hashed_within_the_margin_of_its_change_is_hashed_again(folder):
    path = folder / "a.tad"
    path.write_bytes(b"fact one.")
    _forge(folder, path, "f" * 64, hashed_after_change_ns=digests.RACY_MARGIN_NS // 2)
    assert digests.file_digests([path]) == [_sha(b"fact one.")]


def test_same_size_and_restored_mtime_are_still_seen(folder, monkeypatch):
    """An edit that keeps the size and puts the modification time back changes the change time."""
    import time

    monkeypatch.setattr(digests, "RACY_MARGIN_NS", 50_000_000)
    path = folder / "a.tad"
    path.write_bytes(b"fact one.")
    before = os.stat(path)
    time.sleep(0.1)  # hashed well after its change: the memo will trust its entry
    assert digests.file_digests([path]) == [_sha(b"fact one.")]
    assert digests.file_digests([path]) == [_sha(b"fact one.")]
    path.write_bytes(b"fact six.")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(path).st_size == before.st_size and os.stat(path).st_mtime_ns == before.st_mtime_ns
    assert digests.file_digests([path]) == [_sha(b"fact six.")]


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"type": "other", "entries": {}}', b"[1, 2]",
                                    b'{"type": "tadlog-file-digests", "entries": {"x": [1, "a"]}}'])
def test_a_damaged_memo_is_ignored_and_rewritten(folder, damage):
    path = folder / "a.tad"
    path.write_bytes(b"fact one.")
    (folder / "cache").mkdir()
    (folder / "cache" / digests.MEMO_NAME).write_bytes(damage)
    assert digests.file_digests([path]) == [_sha(b"fact one.")]
    assert _memo(folder)[str(path)][4] == _sha(b"fact one.")


def test_no_memo_when_the_cache_is_off(folder, monkeypatch):
    monkeypatch.setenv("TADLOG_NO_CACHE", "1")
    path = folder / "a.tad"
    path.write_bytes(b"fact one.")
    assert digests.file_digests([path]) == [_sha(b"fact one.")]
    assert not (folder / "cache").exists()


def test_an_edited_knowledge_base_gets_a_new_cache_key(folder, monkeypatch):
    """End to end through the cache key: an edit within the racy margin is never missed."""
    from tadlog import cache

    kb = folder / "kb"
    kb.mkdir()
    (kb / "a.tad").write_bytes(b"fact one.")
    first = cache.key_for([kb / "a.tad"])
    (kb / "a.tad").write_bytes(b"fact two.")
    assert cache.key_for([kb / "a.tad"]) != first


def test_files_that_are_gone_leave_the_memo(folder):
    kept, gone = folder / "kept.tad", folder / "gone.tad"
    kept.write_bytes(b"fact one.")
    gone.write_bytes(b"fact two.")
    digests.file_digests([kept, gone])
    gone.unlink()
    (folder / "new.tad").write_bytes(b"fact six.")
    digests.file_digests([folder / "new.tad"])
    assert set(_memo(folder)) == {str(kept), str(folder / "new.tad")}
