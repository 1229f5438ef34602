"""Follow-up questions (issue 8, item 4a): the library's Conversation, and the REPL through a real terminal.

The REPL test runs ``python -m tadlog repl`` in a subprocess whose stdin and stdout are a
pseudo-terminal (python's pty), so it sees a TTY as a clinician's shell does: prompt, readline,
follow-ups and the ':full' switch.
"""
from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time

from conftest import ENGINE, ROOT
from questions_support import qkb  # noqa: F401  (fixture)
from tadlog.questions.conversation import Conversation


def test_a_patient_follow_up_keeps_the_subject_and_replaces_the_age(qkb):
    talk = Conversation(qkb)
    first = talk.ask("why not the infrazygomatic crest for a 15 year old smoker?")
    assert first.form == "why_not" and ("patient_age", 15) in first.patient
    again = talk.ask("and for an adult?")
    assert again.form == "why_not" and again.subject == "infrazygomatic_crest"
    assert dict(again.patient).get("patient_age") is None
    assert {v for k, v in again.patient if k == "patient"} == {"smoking", "adult"}
    assert "follow-up of: why not the infrazygomatic crest" in again.reading.text


def test_why_not_alone_asks_about_the_last_subject(qkb):
    talk = Conversation(qkb)
    talk.ask("risks of midpalate?")
    answer = talk.ask("why not?")
    assert answer.form == "why_not" and answer.subject == "midpalate"
    technique = Conversation(qkb)
    technique.ask("why immediate loading?")
    reasons = technique.ask("why not?")  # not a site: the reasons the sources give, never a site rule
    assert reasons.form == "evidence" and reasons.reading.intent == "reasons"


def test_a_new_subject_of_the_same_kind_keeps_the_form(qkb):
    talk = Conversation(qkb)
    talk.ask("risks of midpalate?")
    answer = talk.ask("what about the infrazygomatic crest?")
    assert answer.form == "risks" and answer.subject == "infrazygomatic_crest"


def test_a_question_in_full_is_not_a_follow_up(qkb):
    talk = Conversation(qkb)
    talk.ask("why not the infrazygomatic crest for a smoker?")
    answer = talk.ask("sites for molar intrusion?")
    assert answer.form == "sites" and answer.patient == () and "follow-up" not in answer.reading.text


def _read_until(fd: int, marker: bytes, timeout: float = 120) -> bytes:
    out, end = b"", time.monotonic() + timeout
    while marker not in out:
        left = end - time.monotonic()
        if left <= 0:
            raise AssertionError(f"no {marker!r} in: {out[-2000:]!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    return out


def test_repl_in_a_terminal_follows_up_and_switches_full(tmp_path):
    master, slave = pty.openpty()
    env = dict(os.environ, PYTHONPATH=str(ENGINE), TADLOG_HISTORY=str(tmp_path / "history"), TERM="dumb",
               NO_COLOR="1", COLUMNS="100")
    proc = subprocess.Popen([sys.executable, "-m", "tadlog", "repl"], stdin=slave, stdout=slave, stderr=slave,
                            cwd=ROOT, env=env, close_fds=True)
    os.close(slave)
    try:
        _read_until(master, b"tadlog> ")
        os.write(master, b"why not the infrazygomatic crest for a 15 year old?\n")
        first = _read_until(master, b"tadlog> ").decode("utf-8", "replace")
        assert "Read as: reasons against" in first and "age 15" in first
        os.write(master, b"and for an adult?\n")
        second = _read_until(master, b"tadlog> ").decode("utf-8", "replace")
        assert "follow-up of:" in " ".join(second.split()) and "adulthood" in second
        os.write(master, b":full\n")
        assert b"long view on" in _read_until(master, b"tadlog> ")
        os.write(master, b"why?\n")
        full = _read_until(master, b"tadlog> ").decode("utf-8", "replace")
        assert "--full shows" not in full and "Reasons" in full
        os.write(master, b"quit\n")
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
