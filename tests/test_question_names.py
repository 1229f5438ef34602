"""Names read from clinicians' words: the reader fixes behind the development set's misses."""
from __future__ import annotations

import pytest

from questions_support import qkb  # noqa: F401  (fixture)
from tadlog.questions.names import name_index


def terms(kb, question):
    names, _ = name_index(kb.model).find(question)
    return [n.term for n in names]


@pytest.mark.parametrize("question,expected", [
    # "vs" and "versus" are filler, so "upper vs lower jaw" shares "jaw" like "upper or lower jaw"
    ("Success rate of mini implants in the upper vs lower jaw?", {"maxillary_alveolus", "mandibular_alveolus"}),
    ("upper versus lower jaw", {"maxillary_alveolus", "mandibular_alveolus"}),
    # "how thick is X" asks for X's thickness, not about thick X
    ("how thick is the cortical bone at mini-implant sites?", {"cortical_bone_thickness"}),
    ("how thick is the mucosa at the midpalate?", {"soft_tissue_thickness"}),
    # comparatives and superlatives of "thick" are about the thickness
    ("does a thicker cortex raise the insertion torque?", {"cortical_bone_thickness"}),
    # general words folded into the knowledge base's vocabulary
    ("the miniscrew wobbles sideways", {"obvious_lateral_mobility"}),
    ("indirect anchorage for mesializing molars?", {"molar_protraction"}),
    ("should I tell a smoker to quit before TADs?", {"smoking_warning_and_cessation"}),
    ("bimaxillary protrusion patient who won't wear headgear", {"headgear_refusal"}),
])
def test_names_are_read_from_clinicians_words(qkb, question, expected):
    assert expected <= set(terms(qkb, question))


def test_a_name_gives_way_to_a_longer_one_that_its_last_word_begins(qkb):
    # "maxillary buccal" would block "buccal mini-implant failure" (a failed buccal mini-implant)
    read = terms(qkb, "A maxillary buccal mini-implant failed in a 16 year old")
    assert "failed_maxillary_buccal_mini_implant" in read
    assert "maxillary_buccal_alveolus" not in read


def test_an_equally_long_name_does_not_split_a_site(qkb):
    # "buccal site" is no longer than "mandibular buccal": the site stays whole
    assert terms(qkb, "what are the risks of mandibular buccal sites?")[0] == "mandibular_buccal_alveolus"


def test_thick_alone_still_reads_thick_cortical_bone(qkb):
    assert "thick_dense_cortical_bone" in terms(qkb, "self-drilling through thick cortex")


def test_a_negation_word_is_never_reported_as_part_of_a_name(qkb):
    _, partial = name_index(qkb.model).find("patient who won't comply with headgear")
    assert all(p.said.lower() != "won't" for p in partial)


def test_a_lone_word_left_of_a_long_label_is_not_its_name(qkb):
    # "in some patients less than" drops four filler words: a bare "less" is not that qualifier
    read = terms(qkb, "does self-drilling cause less bone damage?")
    assert "qualifier_in_some_patients_less_than" not in read
    assert "qualifier_in_some_patients_less_than" not in terms(qkb, "why are TADs used less in private practice?")


def test_a_patient_factor_is_named_never_guessed_from_its_head_word(qkb):
    # "bisphosphonate treatment" is headed by "treatment", but treatment time is no bisphosphonate
    assert "bisphosphonates" not in terms(qkb, "does en masse retraction on TADs save treatment time?")
    assert "bisphosphonates" in terms(qkb, "a patient on bisphosphonates")


def test_a_corrected_typo_can_be_a_head_word(qkb):
    assert "insertion_torque" in terms(qkb, "torqe for alveolar miniscrews")


def test_upright_is_uprighting(qkb):
    assert "molar_uprighting" in terms(qkb, "upright a tipped molar on a TAD without full braces?")
