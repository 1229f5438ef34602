"""Intent from the frame: how a question opens, with the kinds of the names in it, says what it asks.

The grammar (``frame`` in grammar/query.lark) recognises the opening — why / why not, how do
I, how much, what happens if, can I, do I need, does X affect, where, which, what, compare — and
the name finder (``names.py``) every known term in the sentence. Together they choose an intent
(reasons, choice, where, risks, quantity, howto, suitability, definition, evidence) and the
answer form that serves it: a reasoning form where one fits the kinds of the names (``why not``
for a site, ``sites for`` an indication, ``is X a contraindication`` for a patient factor),
otherwise the evidence form, which ranks what the sources say about those names for the intent.
"""
from __future__ import annotations

from typing import Optional

from ..errors import Diagnostic, Location, QueryError
from ..language.model import KnowledgeBaseModel
from .names import FILLER, GENERIC, PATIENT_CATEGORIES, Name, name_index
from .words import normal_word, words_of
from .patient import describes_patient
from .reading import make_reading
from .query import Mention, PatientContext, Query


FRAME_INTENTS = {
    "f_why_not": "reasons", "f_why": "reasons", "f_what_happens": "risks", "f_quantity": "quantity",
    "f_howto": "howto", "f_suitability": "suitability", "f_need": "howto", "f_affect": "evidence",
    "f_where": "where", "f_when": "quantity", "f_which": "choice", "f_what": "definition",
    "f_compare": "choice", "f_tell": "evidence", "": "evidence",
}
# Cue words (normal form) that say what a frame-less or general question asks.
CUES = {
    "risks": {"risk", "danger", "dangerou", "complication", "downside", "harm", "damage", "problem", "side",
              "effect", "worry", "hurt", "pain", "painful", "fail", "consequence"},
    "quantity": {"torque", "force", "rate", "percent", "percentage", "often", "diameter", "length", "size",
                 "thick", "thickness", "speed", "ncm", "mm", "gram", "week", "month", "much", "many", "figure"},
    "where": {"site", "where", "location", "position", "placement"},
    "definition": {"define", "defined", "definition", "mean", "meaning", "term"},
    "howto": {"technique", "protocol", "step", "procedure"},
}
# "what torque", "what rate": a quantity; "what is primary failure" is a definition, so success and
# failure alone are no quantity (a rate or a percentage says so at once).
WHAT_QUANTITY = {"torque", "force", "rate", "diameter", "length", "size", "speed", "percentage", "amount", "dose",
                 "time"}
# "does X affect / cause / change Y": what the evidence says (the "does X affect Y").
AFFECT_WORDS = frozenset({"affect", "influence", "relate", "related", "change", "changed", "raise", "speed",
                          "matter", "better", "give", "accept", "cause", "save", "depend"})
# Words that ask what a study or the literature found: evidence, even when options are named.
STUDY_WORDS = frozenset({"study", "studie", "trial", "rct", "meta", "analysi", "review", "evidence", "literature",
                         "show", "found", "say", "paper", "history"})
# A question that opens with a verb of treatment asks how to do it ("close a single space with two
# mini-implants?", "upright a tipped molar on a TAD?").
ACTION_VERBS = frozenset({"close", "upright", "uprighting", "connect", "attach", "intrude", "intrusion", "retract", "retraction",
                          "protract", "protraction", "distalize", "distalization", "extrude", "extrusion", "insert",
                          "place", "remove", "removal", "anchor", "stabilize", "tie", "bond"})
CHOICE_WORDS = {"or", "vs", "versus", "compared", "than"}



def read_question(text: str, model: KnowledgeBaseModel, frame: str, clause: Optional[str] = None) -> Query:
    """A question the fixed forms do not cover, read from its frame and its names."""
    index = name_index(model)
    found, partial = index.find(text)
    found = found + _factors_within(index, found)
    words = _cue_words(text, index)
    age, bmi = age_in(words), _bmi(words)
    patient_names = [n for n in found if describes_patient(model, n.term)]
    subject_names = [n for n in found if not describes_patient(model, n.term)]
    if not found and age is None and not _telling(partial):
        raise _no_name(text, index, partial)
    free = [w.norm for w in words_of(text) if not any(n.start <= w.start < n.end for n in found)]
    intent = _intent(frame, words, subject_names, found, [w.norm for w in words_of(clause or text)], free)
    patient = PatientContext(age, bmi, tuple(dict.fromkeys(
        n.term for n in patient_names if n.category == "factor")))
    query = _form_for(text, intent, frame, subject_names, patient_names, patient, found)
    reading = make_reading(model, query, intent, frame, found, partial)
    return _with(query, reading=reading)


def _factors_within(index, found: list[Name]) -> list[Name]:
    """A patient factor named inside a longer concept's name ("mini-implants for a patient on
    bisphosphonates" is a concept, and says the patient takes bisphosphonates)."""
    have = {n.term for n in found}
    out: list[Name] = []
    for name in found:
        if name.category != "concept":
            continue
        norms = [w.norm for w in words_of(name.said) if w.norm not in FILLER]
        for size in (3, 2, 1):
            for i in range(len(norms) - size + 1):
                term = index.term_for(norms[i:i + size])
                if term and term not in have and index.category(term) == "factor":
                    have.add(term)
                    out.append(Name(term, "factor", name.said, name.start, name.end))
    return out


def _cue_words(text: str, index) -> list[str]:
    """The question's words in normal form, a typo corrected only where it makes a cue word
    ("torqe" is torque); a real word is never turned into another ("critical" stays critical)."""
    plain = [w.norm for w in words_of(text)]
    fixed = index.corrected_words(text)
    return [f if f != p and f in TYPO_CUES and p not in TYPO_CUES else p for p, f in zip(plain, fixed)]


def _telling(partial) -> bool:
    """Words that belong to known names, though they make none ("torque", "punch"): enough to
    look for what the sources say in their words."""
    return any(len(p.said) >= 4 and p.said.lower() not in FILLER for p in partial)


RISK_WORDS = frozenset({"risk", "danger", "dangerou", "complication", "downside", "harm", "damage", "problem",
                        "worry", "hurt", "pain", "painful", "comfortable", "discomfort", "fail", "failure", "break",
                        "broken", "fracture", "loose", "lose", "loss", "ulcer", "inflammation", "infection",
                        "resorption", "perforation", "perforate", "perforating", "tipping", "tip", "drift", "move",
                        "digging", "impinge", "spoil", "limit", "side", "safe", "critical", "swallow",
                        "swallowing", "inhaling", "reversible", "repair", "ankylosi", "happen", "happens",
                        "matter", "effect"})
QUANTITY_WORDS = frozenset({"torque", "force", "rate", "percent", "percentage", "diameter", "length", "size",
                            "speed", "ncm", "mm", "gram", "week", "month", "figure", "success", "many", "much",
                            "often", "long", "far", "high", "deep", "thick", "time", "number"})
DEFINITION_WORDS = frozenset({"define", "defined", "definition", "mean", "meaning", "term", "difference",
                              "called", "part", "example", "law"})
REASON_WORDS = frozenset({"cause", "causes", "causing", "why", "reason", "advantage", "benefit", "for"})
WHERE_WORDS = frozenset({"site", "where", "side", "location", "position", "placement", "avoid"})
DO_WORDS = frozenset({"do", "now", "else", "need"})
HOWTO_KINDS = ("technique", "mechanics", "design")
TYPO_CUES = RISK_WORDS | QUANTITY_WORDS | DEFINITION_WORDS | WHAT_QUANTITY | WHERE_WORDS  # what a typo may become
QUALIFIER_CUES = RISK_WORDS | QUANTITY_WORDS | WHERE_WORDS | REASON_WORDS | DO_WORDS  # no mere qualifier of a name
SUITABILITY_KINDS = ("factor", "malocclusion", "indication")


def _intent(frame: str, words: list[str], subjects: list[Name], found: list[Name],
            lead: Optional[list[str]] = None, free: Optional[list[str]] = None) -> str:
    """The intent: the opening decides when it is specific (why, how much, what happens if);
    a general one (is, can I, does, a bare noun phrase) is settled by cue words and by the kinds
    of the names (a technique or mechanics → how-to; a patient factor, finding or indication →
    whether it suits; a complication → risks)."""
    cues = set(words)
    outside = set(words if free is None else free)  # a name's own words ("primary failure") are no cue
    kinds = {n.category for n in found if n.term not in GENERIC}
    specific = [n for n in subjects if n.term not in GENERIC]
    words = lead or words  # where the opening is: the clause that asks
    second = words[1] if len(words) > 1 else ""
    if cues & {"rate", "percentage", "percent", "interval"} and frame not in ("f_affect", "f_why", "f_why_not"):
        return "quantity"
    choice = len(found) >= 2 and bool(cues & CHOICE_WORDS) and frame not in ("f_why", "f_why_not")
    if cues & {"difference"} or (cues & {"term"} and cues & {"correct", "right", "umbrella"}) or (
            frame == "f_what" and cues & {"count", "counts"}):
        return "definition"
    if frame in ("f_why", "f_why_not"):
        return "reasons"
    if frame == "f_what_happens":
        return "risks"
    if frame == "f_quantity":
        if cues & {"matter", "matters"}:  # "how much do soft tissues matter ...": what the evidence says
            return "evidence"
        return "where" if cues & {"forward", "back", "close"} else "quantity"
    if frame in ("f_howto", "f_need"):
        if cues & {"tell", "warn", "explain"} and outside & {"risk", "complication", "danger"}:
            return "risks"  # "what should I tell patients about risks ...?": the risks to tell
        if cues & DEFINITION_WORDS and frame == "f_howto" and second in ("is", "are"):
            return "definition"
        if second in ("is", "are") and cues & {"made", "done", "used", "placed", "removed", "inserted", "fitted"}:
            return "howto"
        if second in ("is", "are", "good", "bad", "important", "big") and frame == "f_howto":
            return "evidence" if not kinds & set(SUITABILITY_KINDS) else "suitability"
        return "howto"
    if frame == "f_where":
        return "evidence" if cues & {"come", "from"} and not cues & {"put", "place"} else "where"
    if frame == "f_when":
        if second in ("was", "were", "did"):  # "when was the palate first used": history
            return "evidence"
        if second in ("is", "are"):
            return "risks" if cues & {"problem", "risk", "danger", "dangerou"} else "suitability"
        if cues & {"not"} and cues & {"use", "used"}:
            return "suitability"
        if cues & {"i", "we", "you"}:
            if cues & {"need"}:
                return "suitability" if cues & {"move"} and kinds & {"indication"} else "howto"
            return "quantity" if second in ("can", "could") else "howto"  # "when can I load it?": a time
        return "quantity"
    if cues & STUDY_WORDS - {"say", "show", "found", "review"} or (
            cues & {"say", "show", "found"} and frame in ("f_what", "f_affect")):
        return "evidence"  # "what did the UK RCT of headgear vs TPA vs mini-implants show?"
    if frame == "f_affect" and not cues & {"need"} and not (cues & {"have"} and "to" in words):
        if cues & AFFECT_WORDS:
            return "evidence"
        if cues & {"solve", "help"}:
            return "suitability"
        if cues & RISK_WORDS or kinds & {"complication"}:
            return "risks"  # "do mini-implants move under load?" names migration, a complication
    if frame == "f_suitability" and cues & {"painful", "pain", "comfortable", "discomfort", "safe", "damage", "harm",
                                            "critical"}:
        return "risks"  # "is it more painful than ...", "can a mini-implant damage the nerve?"
    if words and words[0] in ("risk", "danger", "complication"):
        return "risks"  # "risk of a patient swallowing or inhaling a loose mini-implant?"
    if choice and not (cues & {"risk"} and all(n.category == "complication" for n in specific[1:])):
        return "choice"
    if cues & {"instead", "than"} and len(found) >= 2 and frame in ("f_suitability", ""):
        return "choice"
    if frame == "f_which":
        if cues & {"or", "vs", "versus"}:
            return "choice"  # "cortical thickness or density - which matters more?"
        if cues & {"protocol", "technique", "method", "procedure"}:
            return "howto"
        if cues & WHERE_WORDS:
            return "where"
        return "suitability" if kinds & set(SUITABILITY_KINDS) or cues & {"extract", "malocclusion"} else (
            "quantity" if cues & QUANTITY_WORDS else "evidence")
    if frame == "f_what":
        after = [w for w in words[1:6] if w not in FILLER][:3]
        if cues & {"do", "now", "else"} and cues & {"i", "we"} or set(words[1:3]) & {"now", "else"}:
            return "howto"  # "..., what now?"
        if set(after) & (WHAT_QUANTITY | QUANTITY_WORDS):
            return "quantity"
        if second in ("is", "are") and _names_next(words, found) and words[-1] != "for":  # "... for?": a purpose
            return "definition"  # "what is primary failure ... and why does it happen?"
        if cues & {"treat", "correct"}:
            return "suitability"
        if outside & RISK_WORDS - {"matter", "effect", "side"} or (cues & {"not"} and cues & {"can"}):
            return "risks"
        if cues & {"factor", "matter", "determine", "decide", "for"} or after[:1] == ["cause"]:
            return "reasons"
        if cues & {"kind", "case", "problem", "malocclusion", "treat"}:
            return "suitability"
        if cues & {"find", "say", "show", "evidence", "study"}:
            return "evidence"
        if cues & {"painkiller", "analgesic"}:
            return "howto"
        return "definition" if len(specific) <= 1 else "evidence"
    if frame == "f_compare":
        return "choice"
    if frame == "f_affect":  # does / do ...
        if cues & {"need"} or (cues & {"have"} and "to" in words):
            return "howto"
        if cues & {"rate", "percentage", "percent"}:
            return "quantity"
        if cues & {"affect", "influence", "relate", "related", "change", "raise", "speed", "matter",
                   "better", "give", "accept"}:
            return "evidence"
        if cues & RISK_WORDS:
            return "risks"
        if cues & {"solve", "help"}:
            return "suitability"
        if cues & {"osseointegrate", "thread"}:
            return "definition"
        return "evidence"
    if frame == "f_suitability":  # can I / should I / is / are ...
        if cues & {"safe", "painful", "comfortable", "critical", "worry"} or cues & {"risk"}:
            return "risks"
        if words[0] in ("is", "are"):
            if cues & {"ok", "okay", "fine"} and kinds & set(SUITABILITY_KINDS):
                return "suitability"
            if cues & DEFINITION_WORDS:
                return "definition"
            if cues & {"used", "use", "still"}:
                return "suitability"
            return "evidence"
        if words[0] == "should" and cues & {"replace", "still"}:
            return "suitability"
        if words[0] == "should":
            return "where" if (cues & WHERE_WORDS - {"position"} or kinds & {"site"}) and cues & {"avoid", "go"} \
                else "howto"  # "should I go palatal?" asks where
        if outside & {"fail", "failure", "cause", "resorption", "damage"} and kinds & {"complication"}:
            return "risks"
        if kinds & set(SUITABILITY_KINDS) or cues & {"treat", "correct", "help", "control", "use", "retract"}:
            return "where" if cues & {"from", "place"} and kinds & {"site"} and not kinds & {"malocclusion"} else "suitability"
        if words[0] in ("can", "could") and not cues & {"limit", "run", "resolve", "attach"}:
            return "suitability"  # "can I put a wider mini-implant straight into the site of a failed one?"
        if kinds & set(HOWTO_KINDS) or cues & {"limit", "run", "resolve", "attach"}:
            return "howto"
        return "suitability"
    # a bare noun phrase (or "tell me about")
    return _noun_phrase_intent(words, cues, kinds, specific, found, outside)


def _noun_phrase_intent(words, cues, kinds, specific, found, outside=frozenset()) -> str:
    if words and words[0] in ("has", "have", "did", "will") and cues & (AFFECT_WORDS | {"replace", "changed"}):
        return "evidence"  # "has CBCT changed mini-implant planning?", "will mini-implants replace headgear?"
    if "or" in words[:4] and len(found) < 2:
        return "choice"  # "sterile or non-sterile mini-implants?": options the names do not both cover
    if cues & {"why", "cause", "advantage", "benefit"}:
        return "reasons"
    sites_only = bool(kinds) and kinds <= {"site", "design", "concept"}
    if cues & {"which", "where"} and cues & {"side", "site"} or (
            outside & {"site"} and not cues & RISK_WORDS and not kinds & {"finding"}
            and not _extraction_site(words)) or (
            cues & {"site"} and sites_only):
        return "where"
    if cues & {"patient"} and words[:1] != ["patient"] and not cues & (DEFINITION_WORDS | RISK_WORDS):
        return "suitability"  # "mini-implants for a patient on bisphosphonates?": whether it suits them
    if cues & DEFINITION_WORDS - {"part", "difference", "term"} or _only_names(words, found):
        return "definition"  # "direct anchorage with a TAD means?", "closed coil spring?"
    if cues & {"success"} and not cues & {"how"}:
        if "and" in words and len(specific) >= 2 and words[-1] in ("success", "failure"):
            return "evidence"  # "cancellous bone density and mini-implant success": how one bears on the other
        return "quantity"  # "success of replacement mini-implants after a failure?"  # "success of replacement mini-implants after a failure?"
    if cues & {"more", "less", "higher", "lower"} and cues & {"force", "torque"}:
        return "quantity"  # "... - need more force?": how much
    if words and words[0] in ACTION_VERBS and not kinds & {"malocclusion", "factor"} and not cues & LIMIT_WORDS:
        return "howto"  # "close a single space with two mini-implants?"
    if cues & PREVENT_WORDS:  # "... to stop molars drifting forward?": from a site, where; else how
        return "where" if kinds & {"site"} else "howto"
    if cues & {"mechanic", "mechanics"} and not cues & RISK_WORDS and not kinds & {"complication"}:
        return "howto"
    if cues & {"use", "indication", "application", "case"} and not cues & RISK_WORDS:
        return "suitability"
    if cues & {"do", "now", "else", "need", "solution", "how"} and not kinds & {"malocclusion"}:
        return "howto"
    if cues & (RISK_WORDS - {"matter", "effect", "side", "safe", "for"}) or kinds & {"complication"}:
        return "risks"
    if cues & QUANTITY_WORDS - {"long", "high", "time", "deep"} and not kinds & set(HOWTO_KINDS) - {"design"}:
        return "quantity"
    if kinds & {"mechanics", "anchorage", "technique"} and not kinds & {"malocclusion", "factor"}:
        return "howto"
    if kinds & {"malocclusion", "factor"} or (kinds & {"indication"} and not kinds & set(HOWTO_KINDS)):
        return "suitability"
    if cues & {"history", "study", "evidence", "trial", "review", "matter"}:
        return "evidence"
    if kinds & set(HOWTO_KINDS) or kinds & {"anchorage"} and len(specific) >= 2:
        return "howto" if len(specific) >= 2 or kinds & {"mechanics", "technique"} else "definition"
    if kinds & {"site"} and not kinds & {"malocclusion", "factor", "finding", "indication"}:
        return "where"
    return "definition" if len(specific) == 1 else "evidence"


def _extraction_site(words: list[str]) -> bool:
    """"an extraction site": a place in the arch the question is about, not where to insert."""
    return any(a == "extraction" and b in ("site", "space") for a, b in zip(words, words[1:]))


PREVENT_WORDS = frozenset({"prevent", "avoid", "stop", "minimize", "minimise"})
LIMIT_WORDS = frozenset({"limit", "risk", "problem", "danger", "downside"})


def _names_next(words: list[str], found: list[Name]) -> bool:
    """Whether the first word after 'what is' (and an article) begins a name of the question."""
    rest = [w for w in words[2:] if w not in ("the", "a", "an")]
    if not rest:
        return False
    return any(normal_word(words_of(n.said)[0].text) == rest[0] for n in found if n.said and words_of(n.said)
               and n.term not in GENERIC)


def _only_names(words: list[str], found: list[Name]) -> bool:
    """A bare name and nothing else ("moderate anchorage?"): the question asks what it is."""
    content = [w for w in words if w not in FILLER]
    specific = [n for n in found if n.term not in GENERIC]
    if len(specific) != 1 or not content or len(content) > 3 or specific[0].category in PATIENT_CATEGORIES:
        return False
    said = {normal_word(w.text) for w in words_of(specific[0].said)}
    extra = [w for w in content if w not in said]
    return len(extra) <= 1 and not set(extra) & QUALIFIER_CUES  # "closed coil spring?": one qualifying word


def _form_for(text, intent, frame, subjects, patient_names, patient, found) -> Query:
    """The answer form for an intent, given the kinds of the names (a site rule never reaches a technique)."""
    specific = _unique([n for n in subjects if n.term not in GENERIC])  # "sterile or non-sterile": one option
    sites = [n for n in specific if n.category == "site"]
    indications = [n for n in specific if n.category == "indication"]
    factors = [n for n in patient_names if n.category == "factor"]
    terms = tuple(dict.fromkeys(n.term for n in found))
    base = dict(terms=terms, intent=intent)
    if intent == "reasons" and sites and len(specific) <= 2 and not _has_other_kinds(specific, ("site", "indication")):
        form = "why_not" if frame == "f_why_not" else "why"
        return Query(form, text, subject=_mention(sites[0]), indication=_mention(indications[0]) if indications else None,
                     patient=patient, **base)
    if intent == "where" and indications and not sites:
        return Query("sites", text, subject=_mention(indications[0]), indication=_mention(indications[0]),
                     patient=patient, **base)
    planes = [n for n in specific if n.category == "plane"]
    if intent == "suitability" and planes and len(specific) == len(planes) == 1 and not factors:
        # "what AP problems can TADs treat?": the indications in that plane of space
        return Query("indications", text, subject=_mention(planes[0]), patient=patient, **base)
    if intent == "suitability" and factors and not specific:
        return Query("is_contraindication", text, subject=_mention(factors[0]), patient=patient, **base)
    subject = specific[0] if specific else (subjects[0] if subjects else found[0] if found else None)
    other = specific[1] if len(specific) > 1 else None
    return Query("evidence", text, subject=_mention(subject) if subject else None,
                 other=_mention(other) if other else None, patient=patient, **base)


def _unique(names: list[Name]) -> list[Name]:
    """Each term once, at its first mention."""
    seen: set[str] = set()
    return [n for n in names if not (n.term in seen or seen.add(n.term))]


def _has_other_kinds(names: list[Name], kinds: tuple[str, ...]) -> bool:
    return any(n.category not in kinds for n in names)


def _mention(name: Name) -> Mention:
    return Mention(name.said, name.term, name.column, max(1, name.end - name.start))


def _with(query: Query, **changes) -> Query:
    from dataclasses import replace

    return replace(query, **changes)


# ---- patient numbers --------------------------------------------------------------------------
AGE_UNITS = {"year", "yr", "yo", "y", "old", "month"}


def age_in(words: list[str]) -> Optional[float]:
    """"14 year old", "14-year-old", "13 yo", "aged 40", "age 12"."""
    for i, word in enumerate(words):
        if not _number(word):
            continue
        before = words[i - 1] if i else ""
        after = words[i + 1] if i + 1 < len(words) else ""
        if before in ("aged", "age") or after in AGE_UNITS - {"month"}:
            value = float(word)
            if 0 < value < 120:
                return value
    return None


def _bmi(words: list[str]) -> Optional[float]:
    for i, word in enumerate(words):
        if word == "bmi":
            for after in words[i + 1:i + 3]:
                if _number(after):
                    return float(after)
    return None


def _number(word: str) -> bool:
    return word.replace(".", "", 1).isdigit()


# ---- no known name ----------------------------------------------------------------------------
def _no_name(text: str, index, partial) -> QueryError:
    """No known name: say so, with the nearest names as a structured list (never re-split prose)."""
    content = [w for w in words_of(text) if w.norm not in FILLER]
    nearest: list[str] = []
    for word in content:
        for term in index.nearest(word.text, 2):
            if term not in nearest:
                nearest.append(term)
    for p in partial:
        nearest += [t for t in p.nearest if t not in nearest]
    labels = list(dict.fromkeys(index.model.label(t) for t in nearest))[:5]
    start = content[0].start + 1 if content else 1
    width = (content[-1].end - content[0].start) if content else max(1, len(text))
    hint = ("did you mean " + " or ".join(labels) + "?") if labels else (
        "name a site, a technique, a complication or a patient factor the sources discuss; try: help")
    error = QueryError([Diagnostic("Q002", "the question names nothing the knowledge base knows; expected "
                                   "a site, technique, complication, indication or patient factor",
                                   Location("<question>", 1, start, max(1, width), text), suggestion=hint)])
    error.suggestions = tuple(labels)
    return error
