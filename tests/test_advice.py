"""The advice the knowledge base gives, end to end through the library (issue #3, items 3 and 4).

Each test asks the real knowledge base (kb/), through kb.ask or kb.with_inputs, and fails if the
advice, its citations, or the recorded disagreements of the sources change.
"""
from __future__ import annotations

import re

import pytest

SITES = ("midpalate", "palatal_alveolus", "maxillary_buccal_alveolus", "maxillary_alveolus",
         "mandibular_alveolus", "buccal_alveolus", "palate", "infrazygomatic_crest", "retromolar",
         "alveolus", "posterior_mandible")
PATIENTS = ((), (("patient_age", (12,)),), (("patient_age", (40,)),), (("patient", ("high_mmpa",)),),
            (("patient", ("adolescent",)), ("patient", ("high_mmpa",))), (("patient_bmi", (16,)),),
            (("patient", ("failed_maxillary_buccal_mini_implant",)),), (("patient", ("smoking",)),))


def rows(derivations, predicate):
    return set(derivations.interpretation.tuples(predicate))


def conflict(kb, cid):
    by_id = {c.id: c for c in kb.model.conflicts}
    assert cid in by_id, f"conflict {cid} is not recorded"
    return by_id[cid]


def side_of(c, statement):
    for i, side in enumerate(c.sides):
        if statement in side:
            return i
    return None


# ---- Why not the infrazygomatic crest ----------------------------------------------------------
def test_infrazygomatic_crest_is_advised_against_with_its_figures(kb):
    answer = kb.ask("why not infrazygomatic?")
    assert answer.holds is False
    quotes = " ".join(c.quote for c in answer.citations.values())
    assert "78%" in quotes and "88%" in quotes
    assert "hb_izc_not_recommended" in answer.citations
    assert any(a.proof.atom[0] == "recommended_instead" for a in answer.instead)


# ---- Direct or indirect anchorage -------------------------------------------------------------
def test_anchorage_differs_between_an_adult_and_a_12_year_old(kb):
    adult = kb.with_inputs([("patient_age", (40,))])
    child = kb.with_inputs([("patient_age", (12,))])
    assert rows(adult, "patient_anchorage") == {("direct_anchorage",)}
    assert rows(child, "patient_anchorage") == {("indirect_anchorage",)}
    assert ("direct_anchorage",) in rows(child, "overridden_anchorage")
    assert rows(adult, "overridden_anchorage") == set()


def test_anchorage_question_for_a_12_year_old_and_an_adult(kb):
    child = kb.ask("direct or indirect anchorage for a 12 year old?")
    adult = kb.ask("direct or indirect anchorage for an adult?")
    assert child.verdict.lower().startswith("indirect")
    assert adult.verdict.lower().startswith("direct")
    for answer in (child, adult):
        assert "direct_vs_indirect_anchorage" in {c.id for c in answer.conflicts}


def test_the_general_preference_is_the_authors_opinion(kb):
    statement = kb.model.statement_by_id["hb_prefer_direct"]
    assert statement.kind == "opinion"
    assert ("direct_anchorage",) in rows(kb.derivations, "patient_anchorage")


# ---- Candidate sites --------------------------------------------------------------------------
@pytest.mark.parametrize("indication, expected", [
    ("molar_intrusion", {"palatal_alveolus", "maxillary_buccal_alveolus", "buccal_alveolus", "palate"}),
    ("anterior_open_bite", {"palatal_alveolus", "maxillary_buccal_alveolus"}),
    ("molar_distalisation", {"midpalate", "maxillary_buccal_alveolus"}),
    ("large_molar_distalisation", {"midpalate"}),
    ("en_masse_retraction", {"maxillary_buccal_alveolus", "palate"}),
    ("molar_protraction", {"midpalate", "buccal_alveolus"}),
])
def test_candidate_sites_per_indication(kb, indication, expected):
    found = {s for s, i in rows(kb.derivations, "candidate_site") if i == indication}
    assert expected <= found


def test_alveolar_sites_are_not_advised_for_large_distalisation(kb):
    advised_against = {s for s, i in rows(kb.derivations, "not_recommended_for") if i == "large_molar_distalisation"}
    assert {"maxillary_alveolus", "mandibular_alveolus"} <= advised_against
    assert "midpalate" not in advised_against


def test_sites_for_molar_intrusion_in_a_high_angle_adolescent(kb):
    answer = kb.ask("sites for molar intrusion for an adolescent with a high MMPA?")
    terms = [i.term for i in answer.items]
    assert terms and terms[0] in ("palatal_alveolus", "midpalate")
    assert "maxillary_buccal_alveolus" in terms
    assert terms.index("palatal_alveolus") < terms.index("maxillary_buccal_alveolus")
    derived = kb.with_inputs([("patient", ("adolescent",)), ("patient", ("high_mmpa",))])
    assert ("maxillary_buccal_alveolus", "high_mmpa", "mini_implant_failure") in rows(derived, "patient_site_risk")
    assert {("palatal_alveolus", "high_mmpa"), ("midpalate", "adolescent")} <= rows(derived, "patient_preferred_site")


# ---- Cautions triggered by patient factors ----------------------------------------------------
def test_light_initial_forces_only_for_adolescents(kb):
    assert rows(kb.with_inputs([("patient_age", (13,))]), "patient_initial_force_g") == {("adolescent", 50)}
    assert rows(kb.with_inputs([("patient_age", (30,))]), "patient_initial_force_g") == set()


@pytest.mark.parametrize("factor, caution", [
    ("smoking", "smoking_warning_and_cessation"),
    ("osteoporosis", "site_and_force_planning"),
    ("bisphosphonates", "no_experience_or_literature"),
    ("poor_oral_hygiene", "through_attached_mucosa"),
    ("diabetes", "good_oral_hygiene_needed"),
    ("adolescent", "light_initial_loading"),
    ("failed_maxillary_buccal_mini_implant", "failure_cause_assessment"),
])
def test_patient_factor_cautions(kb, factor, caution):
    derived = kb.with_inputs([("patient", (factor,))])
    assert (factor, caution) in rows(derived, "patient_caution")
    assert (factor, caution) not in rows(kb.with_inputs([("patient", ("adult",))]), "patient_caution")


def test_bisphosphonate_caution_keeps_the_authors_hedge(kb):
    label = kb.model.term_by_name["no_experience_or_literature"].label
    assert "no experience" in label and "unaware" in label
    assert kb.model.statement_by_id["hb_bisphosphonates_no_experience"].kind == "opinion"


def test_low_bmi_and_high_mmpa_raise_patient_risks(kb):
    low_bmi = kb.with_inputs([("patient_bmi", (16,))])
    assert ("low_bmi", "mini_implant_failure") in rows(low_bmi, "patient_risk")
    assert ("midpalate", "low_bmi") in rows(low_bmi, "patient_preferred_site")
    assert rows(kb.with_inputs([("patient_bmi", (23,))]), "patient_risk") == set()


def test_cortical_punch_for_adults_at_dense_sites(kb):
    adult = rows(kb.with_inputs([("patient_age", (35,))]), "patient_recommended_at_site")
    assert {("cortical_punch", "midpalate"), ("cortical_punch", "posterior_mandible")} <= adult
    assert rows(kb.with_inputs([("patient_age", (14,))]), "patient_recommended_at_site") == set()


# ---- Failure: prevention and what to do after one ----------------------------------------------
def test_after_a_failed_maxillary_buccal_mini_implant(kb):
    options = {o for s, o in rows(kb.derivations, "after_failure_option") if s == "maxillary_buccal_alveolus"}
    assert {"midpalate", "failure_cause_assessment", "larger_diameter_replacement",
            "same_diameter_replacement", "bicortical_replacement"} <= options
    failed = kb.with_inputs([("patient", ("failed_maxillary_buccal_mini_implant",))])
    assert ("midpalate", "failed_maxillary_buccal_mini_implant") in rows(failed, "patient_preferred_site")


def test_causes_of_primary_and_secondary_failure_and_their_prevention(kb):
    causes = rows(kb.derivations, "cause_of")
    assert ("primary_failure", "inadequate_cortical_bone") in causes
    assert ("secondary_failure", "excessive_insertion_torque") in causes
    assert ("primary_failure", "excessive_insertion_torque") not in causes
    prevent = rows(kb.derivations, "helps_prevent")
    assert ("cortical_perforation", "secondary_failure", "excessive_insertion_torque") in prevent


# ---- Safety of the advice ------------------------------------------------------------------------
@pytest.mark.parametrize("inputs", PATIENTS)
def test_no_site_both_recommended_and_not_recommended_without_a_conflict(kb, inputs):
    derived = kb.with_inputs(list(inputs))
    both = {s for (s,) in rows(derived, "recommended")} & {s for (s,) in rows(derived, "not_recommended")}
    both_for = rows(derived, "recommended_for") & rows(derived, "not_recommended_for")
    conflicted = {sid for c in kb.model.conflicts for sid in c.statements}
    for atom in [("recommended", (s,)) for s in both] + [("recommended_for", r) for r in both_for]:
        assert set(derived.citations_of(atom)) & conflicted, atom
    assert not (both & set(SITES)) and not both_for


# ---- Conflicts -----------------------------------------------------------------------------------
def test_every_conflict_statement_is_cited_by_a_fact_or_rule(kb):
    cited = {sid for fact in kb.model.facts for sid in fact.cites}
    cited |= {sid for rule in kb.program.rules for sid in (getattr(rule, "cites", ()) or ())}
    uncited = sorted({sid for c in kb.model.conflicts for sid in c.statements} - cited)
    assert uncited == []


@pytest.mark.parametrize("cid, sides", [
    ("overall_failure_rate", [["rev_sr_failure_rate"], ["hb_meta_3250_86"], ["bau_fail_rate_10"]]),
    ("insertion_anaesthesia", [["rev_local_anaesthetic", "cla_abstract_local_anaesthesia"],
                               ["bau_tech_topical_sufficient"]]),
    ("cortical_perforation_need", [["bau_tech_self_drilling_protocol"],
                                   ["bau_tech_ideal_combination", "hb3_cortical_punch"]]),
    ("cant_plane", [["bau_ind_v_cant", "rev_unilateral_cant"], ["hb_indications_transverse"]]),
    ("midpalate_success", [["hb_site_success_consensus"], ["hb_471_primary_replacement"]]),
    ("mandible_cortex_paradox", [["hb2_mandible_thicker_cortex"], ["hb2_mandible_lower_success"]]),
    ("direct_vs_indirect_anchorage", [["hb_prefer_direct", "hb_becker_meta_analysis"],
                                      ["hb_indirect_midpalatal_example", "hb_young_patients_exception"]]),
])
def test_required_conflicts_have_the_right_statements_on_each_side(kb, cid, sides):
    c = conflict(kb, cid)
    indices = []
    for group in sides:
        found = {side_of(c, s) for s in group}
        assert None not in found and len(found) == 1, (cid, group, c.sides)
        indices.append(found.pop())
    assert len(set(indices)) == len(indices), (cid, c.sides)


def test_conflict_notes_keep_both_positions_with_their_numbers(kb):
    notes = {c.id: c.note or "" for c in kb.model.conflicts}
    assert all(n in notes["overall_failure_rate"] for n in ("13.5%", "11.5-15.8", "86%", "approximately 10%", "3250"))
    assert all(n in notes["midpalate_success"] for n in ("99%", "79%", "471", "up to"))
    assert all(n in notes["insertion_anaesthesia"] for n in ("0.1-0.2 ml", "topical"))
    assert all(n in notes["max_insertion_torque"] for n in ("20 to 40", "5-15 Ncm", "10-25 Ncm"))
    assert all(n in notes["root_clearance"] for n in ("0.5 mm", "less than 1 mm", "not been validated"))


def test_duplicate_disagreements_are_merged(kb):
    ids = {c.id for c in kb.model.conflicts}
    assert "cla_insertion_anaesthesia" not in ids and "bau_attached_gingiva_failure" not in ids
    by_topic = {}
    for c in kb.model.conflicts:
        for sid in c.statements:
            by_topic.setdefault(sid, set()).add(c.id)
    assert by_topic["cla_abstract_local_anaesthesia"] >= {"insertion_anaesthesia"}
    assert {"bau_site_attached_gingiva", "rev_sr_no_difference_technique"} <= set(
        conflict(kb, "soft_tissue_influence_on_failure").statements)


@pytest.mark.parametrize("question, cid", [
    ("why not infrazygomatic?", "midpalate_success"),
    ("direct or indirect anchorage for a 12 year old?", "direct_vs_indirect_anchorage"),
])
def test_answers_resting_on_a_side_say_sources_disagree(kb, question, cid):
    answer = kb.ask(question)
    assert cid in {c.id for c in answer.conflicts}
    assert re.search(r"sources disagree", answer.to_text(), re.I)
