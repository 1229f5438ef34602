"""CDS Hooks 2.0 on a real server: discovery, the mini-implant advice service fed a FHIR
prefetch, and the cards it answers with. The schema (docs/schemas/cds_hooks.json) is first
checked against examples shaped as the specification's own; the FHIR resources of the test
request are round-tripped through fhir.resources (R4B) so they are valid FHIR."""
from __future__ import annotations

import copy
import datetime as dt
import json
import re
from pathlib import Path

import pytest

from schema_support import validate
from serve_support import client, server  # noqa: F401  (fixtures)
from tadlog.serve.fhir import patient_facts

FIXTURES = Path(__file__).parent / "fixtures" / "cds_hooks"
SERVICE = "/cds-services/tadlog-mini-implant-advice"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def years_ago(years: int) -> str:
    today = dt.date.today()
    return today.replace(year=today.year - years, day=min(today.day, 28)).isoformat()


def order_request(age: int = 15, **changes) -> dict:
    body = fixture("order_select_request.json")
    body["prefetch"]["patient"]["birthDate"] = years_ago(age)
    for key, value in changes.items():
        body[key] = value
    return body


@pytest.mark.parametrize("name,part", [("spec_discovery.json", "discovery"), ("spec_request.json", "request"),
                                       ("spec_response.json", "response"), ("order_select_request.json", "request")])
def test_schema_accepts_the_specifications_examples(name, part):
    validate(fixture(name), "cds_hooks", f"/$defs/{part}")


def test_schema_refuses_a_long_summary_and_a_bad_indicator():
    card = fixture("spec_response.json")["cards"][1]
    for broken in ({**card, "summary": "x" * 141}, {**card, "indicator": "danger"}, {k: v for k, v in card.items()
                                                                                       if k != "source"}):
        with pytest.raises(AssertionError):
            validate({"cards": [broken]}, "cds_hooks", "/$defs/response")


def test_discovery_lists_the_service(client):
    data = client.get("/cds-services").json()
    validate(data, "cds_hooks", "/$defs/discovery")
    [service] = data["services"]
    assert service["hook"] == "order-select" and "Patient/{{context.patientId}}" in service["prefetch"].values()


def test_fhir_resources_are_valid_r4(tmp_path):
    """Every resource of the test request parses as FHIR (R4B) and round-trips unchanged in meaning."""
    resources = pytest.importorskip("fhir.resources.R4B")  # noqa: F841
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.patient import Patient
    from fhir.resources.R4B.servicerequest import ServiceRequest

    body = order_request()
    prefetch = body["prefetch"]
    rebuilt = {"patient": json.loads(Patient.model_validate(prefetch["patient"]).model_dump_json(exclude_none=True))}
    for key in ("observations", "conditions", "medications"):
        rebuilt[key] = json.loads(Bundle.model_validate(prefetch[key]).model_dump_json(exclude_none=True))
    ServiceRequest.model_validate(body["context"]["draftOrders"]["entry"][0]["resource"])
    assert patient_facts(rebuilt) == patient_facts(prefetch)


def test_prefetch_gives_the_patient_facts():
    facts = {f.factor: f for f in patient_facts(order_request(age=15)["prefetch"])}
    assert facts["age"].value == 15
    assert {"smoking", "diabetes", "high_mmpa", "bisphosphonates"} <= set(facts)
    assert "osteoporosis" not in facts  # the osteoporosis condition is refuted
    assert "Alendronic" in facts["bisphosphonates"].evidence and "72166-2" in facts["smoking"].evidence


def test_former_smokers_and_unknown_records_add_nothing():
    obs = {"resourceType": "Observation", "status": "final",
           "code": {"coding": [{"system": "http://loinc.org", "code": "72166-2"}]},
           "valueCodeableConcept": {"coding": [{"system": "http://snomed.info/sct", "code": "8517006",
                                                "display": "Ex-smoker"}]}}
    other = {"resourceType": "Condition", "code": {"text": "seasonal allergy"}}
    assert patient_facts({"a": obs, "b": other}) == []


def test_advice_card_for_a_planned_infrazygomatic_insertion(client, kb):
    r = client.post(SERVICE, json=order_request(age=15))
    assert r.status_code == 200, r.text
    data = r.json()
    validate(data, "cds_hooks", "/$defs/response")
    [card] = data["cards"]
    assert len(card["summary"]) <= 140
    worded = kb.ask("why infrazygomatic crest for molar distalisation for a 15 year old diabetic smoker with a high "
                    "MMPA on bisphosphonates?")
    assert card["summary"] == worded.verdict[:140] or card["summary"].endswith("…")
    assert card["indicator"] in ("warning", "critical")
    detail = card["detail"]
    assert "age 15" in detail and "Patient.birthDate" in detail and "smoking" in detail
    quotes = re.findall(r"> “(.+?)”", detail)
    assert quotes and all(any(q.replace("\\", "") == c.quote for c in worded.citations.values()) for q in quotes)
    assert re.search(r"§[\w.]+, lines \d+–\d+", detail)
    assert card["source"]["label"].startswith("tadlog: ")
    suggestion = card["suggestions"][0]
    assert card["selectionBehavior"] == "at-most-one" and suggestion["isRecommended"]
    action = suggestion["actions"][0]
    assert action["type"] == "update" and action["resource"]["id"] == "tad-1"
    assert action["resource"]["bodySite"][0]["text"] in suggestion["label"]
    from fhir.resources.R4B.servicerequest import ServiceRequest

    ServiceRequest.model_validate(action["resource"])  # the revised order is still a valid ServiceRequest


AOB_CONDITION = {"resourceType": "Condition", "id": "aob-1",
                 "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                                "code": "active"}]},
                 "code": {"text": "Anterior open bite"}, "subject": {"reference": "Patient/patient-7"}}
AOB_OBSERVATION = {"resourceType": "Observation", "id": "aob-2", "status": "final",
                   "code": {"text": "Vertical incisor relationship"},
                   "valueCodeableConcept": {"text": "anterior open bite, 3 mm"},
                   "subject": {"reference": "Patient/patient-7"}}


@pytest.mark.parametrize("resource", [AOB_CONDITION, AOB_OBSERVATION], ids=["condition", "observation"])
def test_an_anterior_open_bite_in_the_record_is_read_as_the_question_reads_it(client, kb, resource):
    """A finding the rules take no input for (a malocclusion) joins the advice as the words of a
    question "... with an anterior open bite" would: named as the patient's, and said to be used."""
    from fhir.resources.R4B.condition import Condition
    from fhir.resources.R4B.observation import Observation

    (Condition if resource["resourceType"] == "Condition" else Observation).model_validate(resource)
    body = order_request(age=15)
    body["prefetch"] = {"patient": body["prefetch"]["patient"], "findings": resource}
    r = client.post(SERVICE, json=body)
    assert r.status_code == 200, r.text
    validate(r.json(), "cds_hooks", "/$defs/response")
    [card] = r.json()["cards"]
    used, _, rest = card["detail"].partition("Patient facts used (from the record): ")
    assert "anterior open bite — " + resource["resourceType"] in rest.split("\n")[0]
    assert "Recorded but not used" not in card["detail"]
    worded = kb.ask("why infrazygomatic crest for molar distalisation for a 15 year old with an anterior open bite?")
    assert card["summary"] == worded.verdict[:140] or card["summary"].endswith("…")
    assert "anterior open bite" in worded.reading.patient
    # the JSON API reads a finding given in patient.factors the same way: the very reading of the words
    asked = client.post("/v1/ask", json={"question": "why infrazygomatic crest for molar distalisation?",
                                         "patient": {"factors": ["anterior open bite"]}}).json()
    validate(asked, "answer")
    mine = kb.ask("why infrazygomatic crest for molar distalisation with an anterior open bite?").to_json()
    assert asked["reading"] == mine["reading"] and asked["reading"]["patient"] == ["anterior open bite"]
    assert {k: v for k, v in asked.items() if k != "question"} == {k: v for k, v in mine.items() if k != "question"}


def test_a_finding_that_would_change_the_question_is_said_not_joined(client, kb):
    """Worded in, a finding must leave what is asked alone; where the reader would read the
    question otherwise, it is asked as it stands and the answer's notes say so."""
    candidates = ["risks of mandibular buccal?", "compare midpalate and infrazygomatic crest",
                  "contraindications", "is smoking a contraindication?", "sites for molar intrusion?"]
    changed = [q for q in candidates
               if kb.parse_question(q).form != kb.parse_question(q.rstrip("?") + " with deep bite?").form]
    if not changed:
        pytest.skip("the question reader reads every candidate alike with a finding worded in")
    question = changed[0]
    asked = client.post("/v1/ask", json={"question": question, "patient": {"factors": ["deep bite"]}}).json()
    validate(asked, "answer")
    assert asked["form"] == kb.parse_question(question).form
    assert any("not joined to this question: deep bite" in n for n in asked["notes"])


def test_the_indicator_follows_the_verdict(client):
    """A supported site for an adult with no risk factors is information, not a warning."""
    body = order_request(age=30)
    body["prefetch"] = {"patient": body["prefetch"]["patient"]}
    body["context"]["draftOrders"]["entry"][0]["resource"]["bodySite"] = [{"text": "midpalate"}]
    [card] = client.post(SERVICE, json=body).json()["cards"]
    planned = client.post(SERVICE, json=order_request(age=30)).json()["cards"][0]
    assert card["indicator"] == "info" and planned["indicator"] in ("warning", "critical")


def test_an_unknown_site_is_said_on_a_card(client):
    body = order_request()
    body["context"]["draftOrders"]["entry"][0]["resource"]["bodySite"] = [{"text": "left elbow"}]
    r = client.post(SERVICE, json=body)
    validate(r.json(), "cds_hooks", "/$defs/response")
    assert r.json()["cards"][0]["indicator"] == "info" and "could not read" in r.json()["cards"][0]["summary"]


@pytest.mark.parametrize("change,status", [
    ({"hook": "patient-view"}, 422), ({"hookInstance": None}, 422), ({"context": "x"}, 422),
])
def test_malformed_hook_calls(client, change, status):
    body = order_request()
    body.update(change)
    body = {k: v for k, v in body.items() if v is not None}
    r = client.post(SERVICE, json=body)
    assert r.status_code == status
    validate(r.json(), "service", "/$defs/error")


def test_a_request_without_a_planned_site_and_an_unknown_service(client):
    body = order_request()
    body["context"] = copy.deepcopy(body["context"])
    body["context"]["draftOrders"]["entry"][0]["resource"].pop("bodySite")
    r = client.post(SERVICE, json=body)
    assert r.status_code == 422 and r.json()["pointer"] == "/context/draftOrders"
    r = client.post("/cds-services/nothing-here", json=order_request())
    assert r.status_code == 404
    validate(r.json(), "service", "/$defs/error")
