"""Follow-up questions: "and for an adult?", "why not?", "what about the midpalate?".

A :class:`Conversation` remembers the last question it understood (its form, subject,
indication and patient), so a follow-up that names only a patient, only a new subject, or
nothing but "why" / "why not" is read against it. Anything else is a fresh question. The
reading line says when a question was read as a follow-up, and of what.

    >>> talk = Conversation(kb)
    >>> talk.ask("why not the infrazygomatic crest for a 15 year old?")
    >>> talk.ask("and for an adult?")     # why not the infrazygomatic crest, for an adult
"""
from __future__ import annotations

from dataclasses import replace
from typing import Optional

from .answer import Answer
from .intents import age_in
from .patient import describes_patient
from .reading import make_reading
from .names import name_index
from .words import words_of
from .query import Mention, PatientContext, Query
from .reader import parse_question

OPENERS = ("and what about ", "and how about ", "what about ", "how about ", "and for ", "and in ", "and with ",
           "but for ", "same for ", "and ", "for ", "in ", "with ")
AGE_BANDS = frozenset({"adolescent", "adult"})
WHY_ALONE = {"why": "why", "why not": "why_not", "and why": "why", "and why not": "why_not", "why so": "why",
             "how come": "why"}


class Conversation:
    """Questions asked one after another, a follow-up read against the last one understood."""

    def __init__(self, kb, *, full: bool = False, depth: int = 8):
        self.kb, self.full, self.depth = kb, full, depth
        self.last: Optional[Query] = None

    def ask(self, text: str) -> Answer:
        from .forms import answer_query

        query = self.read(text)
        answer = answer_query(self.kb, query, depth=self.depth, full=self.full)
        if query.form not in ("help", "show", "raw"):
            self.last = query
        return answer

    def read(self, text: str) -> Query:
        """The question as a Query: a follow-up of the last one when it reads as one."""
        followed = self._follow_up(text) if self.last is not None else None
        return followed if followed is not None else parse_question(text, self.kb.model)

    def forget(self) -> None:
        self.last = None

    # ---- follow-ups --------------------------------------------------------------------------
    def _follow_up(self, text: str) -> Optional[Query]:
        said = " ".join(text.lower().replace("?", " ").split())
        last = self.last
        if said in WHY_ALONE and last.subject is not None:
            return self._redo(last, form=WHY_ALONE[said], said=text)
        opener = next((o for o in OPENERS if said.startswith(o)), None)
        if opener is None:
            return None
        model = self.kb.model
        names, _ = name_index(model).find(text)
        patient = [n for n in names if describes_patient(model, n.term)]
        subjects = [n for n in names if not describes_patient(model, n.term)]
        age = _age(text)
        if not subjects and (patient or age is not None):
            new = PatientContext(age, None, tuple(n.term for n in patient if n.category == "factor"))
            return self._redo(last, patient=_combine(last.patient, new), said=text)
        if len(subjects) == 1 and last.subject is not None and not patient and age is None:
            kind = _kind(model, last.subject.term)
            if _kind(model, subjects[0].term) == kind:
                mention = Mention(subjects[0].said, subjects[0].term, subjects[0].column,
                                  max(1, subjects[0].end - subjects[0].start))
                changes = {"subject": mention}
                if last.form == "sites":
                    changes["indication"] = mention
                return self._redo(last, said=text, terms=(subjects[0].term,), **changes)
        return None

    def _redo(self, last: Query, said: str, form: Optional[str] = None, **changes) -> Query:
        """The last question with a new form, subject or patient, read again (and said to be a follow-up)."""
        if form is not None and _kind(self.kb.model, last.subject.term) != "site":
            # the why forms reason about sites: for anything else, the reasons the sources give
            changes.update(form="evidence", intent="reasons", terms=last.terms or (last.subject.term,))
            form = None
        elif form is not None:
            changes["form"] = form
        query = replace(last, text=said, **changes)
        reading = make_reading(self.kb.model, query, intent=None if form else query.intent)
        text = reading.text + f" (follow-up of: {last.text.strip()})"
        return replace(query, reading=replace(reading, text=text))


def _combine(old: PatientContext, new: PatientContext) -> PatientContext:
    """The new patient details, with the old ones they do not contradict (an age replaces an
    age and an age band; a new age band replaces the old age)."""
    age_given = new.age is not None or bool(AGE_BANDS & set(new.factors))
    kept = [f for f in old.factors if not (age_given and f in AGE_BANDS)]
    age = new.age if new.age is not None else (None if age_given else old.age)
    return PatientContext(age, new.bmi if new.bmi is not None else old.bmi,
                          tuple(dict.fromkeys(kept + list(new.factors))))


def _age(text: str) -> Optional[float]:
    return age_in([w.norm for w in words_of(text)])


def _kind(model, term: str) -> str:
    decl = model.term_by_name.get(term)
    return (decl.category or "") if decl else ""
