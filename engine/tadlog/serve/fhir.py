"""Patient facts from FHIR R4 resources (a CDS Hooks prefetch), as the inputs a question states.

Patient.birthDate gives the age; Conditions and Observations give smoking status, diabetes,
osteoporosis, a high-angle or anterior-open-bite finding; MedicationStatements give
bisphosphonates. Each fact keeps the record it came from, so a card can say why it used it.
Only recognised codes and words count: a record that names nothing known is left out, never
guessed at. Refuted, entered-in-error, resolved and not-taken records are ignored.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Iterable, Optional

SMOKING_STATUS = "72166-2"  # LOINC: Tobacco smoking status
SMOKER_CODES = {"449868002", "428041000124106", "77176002", "65568007", "428061000124105", "428071000124103",
                "56578002", "230059006"}  # SNOMED CT current smoker codes (US Core smoking status value set)
NON_SMOKER_CODES = {"8517006", "266919005", "266927001"}  # ex-smoker, never smoked, unknown if ever smoked
CONDITION_CODES = {  # SNOMED CT and ICD-10 codes → tadlog patient factor
    "73211009": "diabetes", "44054006": "diabetes", "46635009": "diabetes", "E10": "diabetes", "E11": "diabetes",
    "E13": "diabetes", "E14": "diabetes", "64859006": "osteoporosis", "M80": "osteoporosis", "M81": "osteoporosis",
}
WORDS = [  # words in a code's text or display → factor (checked after the codes)
    (r"\bdiabet", "diabetes"), (r"\bosteoporo", "osteoporosis"),
    (r"\bhigh[- ]angle\b|\bhigh (?:mmpa|maxillo-?mandibular plane)|\bhyperdivergent\b|\blong face\b", "high_mmpa"),
    (r"\banterior open ?bite\b", "anterior_open_bite"),
]
BISPHOSPHONATES = re.compile(r"\b(?:alendron|risedron|ibandron|zoledron|pamidron|etidron|clodron|tiludron|neridron)\w*"
                             r"|\bbisphosphonate", re.I)
BISPHOSPHONATE_ATC = ("M05BA", "M05BB")
IGNORED = {"entered-in-error", "refuted", "not-taken", "resolved", "inactive", "cancelled"}


@dataclass(frozen=True)
class FhirFact:
    factor: str  # a tadlog factor name, or "age"
    value: Optional[float]
    evidence: str  # which record said so, for the card


def patient_facts(prefetch: dict, today: Optional[dt.date] = None) -> list[FhirFact]:
    """Every patient fact the prefetched resources state, whatever their prefetch keys."""
    today = today or dt.datetime.now(dt.timezone.utc).date()
    out: list[FhirFact] = []
    for resource in _resources(prefetch):
        kind = resource.get("resourceType")
        if kind == "Patient":
            out += _age(resource, today)
        elif kind == "Condition" and _current(resource):
            out += _findings(resource.get("code"), "Condition")
        elif kind == "Observation" and _current(resource):
            out += _observation(resource)
        elif kind == "MedicationStatement" and _current(resource):
            out += _medication(resource)
    seen, unique = set(), []
    for fact in out:
        if fact.factor not in seen:
            seen.add(fact.factor)
            unique.append(fact)
    return unique


def _resources(prefetch: dict) -> Iterable[dict]:
    """Resources of a prefetch: each value is a resource or a searchset Bundle of them."""
    for value in (prefetch or {}).values():
        if not isinstance(value, dict):
            continue
        if value.get("resourceType") == "Bundle":
            for entry in value.get("entry") or ():
                resource = entry.get("resource") if isinstance(entry, dict) else None
                if isinstance(resource, dict):
                    yield resource
        else:
            yield value


def _status(value) -> str:
    if isinstance(value, dict):  # a CodeableConcept (Condition.clinicalStatus, verificationStatus)
        codes = [c.get("code", "") for c in value.get("coding") or () if isinstance(c, dict)]
        return codes[0] if codes else ""
    return value if isinstance(value, str) else ""


def _current(resource: dict) -> bool:
    statuses = {_status(resource.get(k)) for k in ("status", "clinicalStatus", "verificationStatus")}
    return not (statuses & IGNORED)


def _age(patient: dict, today: dt.date) -> list[FhirFact]:
    born = patient.get("birthDate")
    if not isinstance(born, str) or not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", born):
        return []
    parts = [int(p) for p in born.split("-")] + [1, 1]
    try:
        birth = dt.date(parts[0], parts[1], parts[2])
    except ValueError:
        return []
    years = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    if years < 0 or years > 130:
        return []
    return [FhirFact("age", float(years), f"Patient.birthDate {born}")]


def _codings(concept) -> list[dict]:
    if not isinstance(concept, dict):
        return []
    return [c for c in concept.get("coding") or () if isinstance(c, dict)]


def _words(concept) -> str:
    if not isinstance(concept, dict):
        return ""
    return " ".join([concept.get("text") or ""] + [c.get("display") or "" for c in _codings(concept)])


def _findings(concept, where: str) -> list[FhirFact]:
    out = []
    for coding in _codings(concept):
        code = str(coding.get("code") or "")
        factor = CONDITION_CODES.get(code) or CONDITION_CODES.get(code.split(".")[0])
        if factor:
            out.append(FhirFact(factor, None, f"{where} {code} ({coding.get('display') or factor})"))
    text = _words(concept)
    for pattern, factor in WORDS:
        if re.search(pattern, text, re.I):
            out.append(FhirFact(factor, None, f"{where} “{text.strip()[:80]}”"))
    return out


def _observation(obs: dict) -> list[FhirFact]:
    codes = {str(c.get("code")) for c in _codings(obs.get("code"))}
    value = obs.get("valueCodeableConcept")
    if SMOKING_STATUS in codes:
        values = {str(c.get("code")) for c in _codings(value)}
        if values & SMOKER_CODES or (not values & NON_SMOKER_CODES and re.search(
                r"\b(?:current|every day|some day|heavy|light)\b.*smoker|^smoker$", _words(value).strip(), re.I)):
            return [FhirFact("smoking", None, f"Observation {SMOKING_STATUS} ({_words(value).strip() or 'smoker'})")]
        return []
    return _findings(obs.get("code"), "Observation") + _findings(value, "Observation")


def _medication(statement: dict) -> list[FhirFact]:
    concept = statement.get("medicationCodeableConcept")
    text = _words(concept)
    atc = any(str(c.get("code") or "").startswith(BISPHOSPHONATE_ATC) for c in _codings(concept))
    if atc or BISPHOSPHONATES.search(text):
        status = statement.get("status") or "unknown"
        return [FhirFact("bisphosphonates", None, f"MedicationStatement {text.strip()[:60] or 'bisphosphonate'} "
                                                  f"(status {status})")]
    return []
