"""Scope rules: what is declined whatever the classifier thinks, and what is not."""

from __future__ import annotations

import pytest

from bot.nlu.scope import (
    CODE_LOOKUP,
    EMERGENCY,
    MEDICAL,
    OTHER,
    ambiguous,
    compared_occupation,
    field_side,
    in_field,
    mentions_health,
    override,
)


@pytest.mark.parametrize(
    "text",
    [
        "what's the ICD-10 code for a sprained ankle",
        "cpt code for an office visit with a new patient",
        "How would I code a laceration repair",
        "which modifier goes with a bilateral knee x-ray",
        "is E11.9 the right one for diabetes without complications",
        "hcpcs codes for a wheelchair",
        "can you look up a code for me",
        "what is the correct code when a patient has both",
    ],
)
def test_code_lookups(text: str) -> None:
    assert override(text) == CODE_LOOKUP


@pytest.mark.parametrize(
    "text",
    [
        "how much do nurses make in texas",
        "what do sonographers earn per hour",
        "steps to become a paramedic",
        "is a software engineering bootcamp worth it",
        "is a coding boot camp still worth it",  # two words, as people also write it
        "pharmacy technician certification requirements",
        "I want to be an electrician, how long is the apprenticeship",
        "how do i become a doctor",
        "what is a doctor's salary",
    ],
)
def test_other_careers(text: str) -> None:
    assert override(text) == OTHER


@pytest.mark.parametrize(
    "text",
    [
        "my knee has been swollen for a week, what should I do",
        "what medicine can i take for a migraine",
        "my blood pressure reading was 150 over 95, is that bad",
        "should i see a doctor for my cough",  # medical, not another career
    ],
)
def test_personal_medical_questions(text: str) -> None:
    assert override(text) == MEDICAL


def test_emergency_comes_first() -> None:
    assert override("I think I'm having a heart attack, what's the ICD code for that") == EMERGENCY


@pytest.mark.parametrize(
    "text",
    [
        "what are ICD-10 codes",
        "what's the difference between CPT and HCPCS codes",
        "I'm a nurse, could I switch to medical coding?",
        "how long does it take to learn to code medical records",
        "im going to code for outpatient clinics, which certification fits",
        "what software would i be using every day as a biller",
        "can a medical assistant move into billing",
        "do coders need to know anatomy and medical terminology",
        "how much do coders make",
        "is there a code of conduct for AAPC members",
        "I have a bad back, can I do billing from home",
        "what are hcpcs codes for",
        "will experience at a doctors office front desk help",
        "do you get yelled at by doctors",
        # a doctor's papers and visits are the work's material, not the doctor's career
        "the people who turn a doctor's notes into what the insurer wants, do they need college?",
        "is there demand for the office people who handle doctors’ insurance paperwork?",
        "after a doctor visit, who chases the insurance company so the clinic gets paid?",
        "i have test anxiety and failed once, how many times can i retake and is there a waiting period",
        "/ask_salary",
        "",
    ],
)
def test_in_scope_questions_are_left_alone(text: str) -> None:
    assert override(text) is None


RANKING = [{"name": "out_of_scope", "confidence": 0.42}, {"name": "out_of_scope_medical", "confidence": 0.2},
           {"name": "ask_salary", "confidence": 0.18}, {"name": "ask_cost", "confidence": 0.1}]


def test_a_doubtful_decline_naming_a_credential_gets_the_best_answering_intent() -> None:
    assert in_field(OTHER, 0.42, ["certification"], RANKING) == RANKING[2]
    assert in_field(OTHER, 0.42, ["role", "organization"], RANKING) == RANKING[2]


def test_a_low_confidence_fallback_naming_a_credential_gets_the_best_answering_intent() -> None:
    """'how much experience should i have before sitting the ccs': no intent reaches 0.3, but it is about the CCS."""
    ranking = [{"name": "nlu_fallback", "confidence": 0.3}, *RANKING]
    assert in_field("nlu_fallback", 0.3, ["certification"], ranking) == RANKING[2]
    assert in_field("nlu_fallback", 0.3, ["role"], ranking) is None


@pytest.mark.parametrize("intent, confidence, types", [
    (OTHER, 0.42, ["role"]),  # "how much do chefs make as coders" names nothing only this field has
    (OTHER, 0.42, []),
    (OTHER, 0.8, ["certification"]),  # a confident decline stands
    (MEDICAL, 0.42, ["certification"]),  # only the generic decline is reconsidered
    ("ask_salary", 0.42, ["certification"]),
])
def test_other_readings_stand(intent: str, confidence: float, types: list) -> None:
    assert in_field(intent, confidence, types, RANKING) is None


def test_no_answering_intent_in_the_ranking_keeps_the_decline() -> None:
    assert in_field(OTHER, 0.42, ["certification"], RANKING[:2]) is None


def ranked(*pairs: tuple) -> list:
    return [{"name": name, "confidence": confidence} for name, confidence in pairs]


def test_a_tie_between_answering_and_declining_is_ambiguous() -> None:
    assert ambiguous(ranked(("ask_salary", 0.40), ("out_of_scope", 0.39)))
    assert ambiguous(ranked(("nlu_fallback", 0.3), ("out_of_scope", 0.40), ("ask_cost", 0.385)))


def test_two_answers_or_a_clear_lead_are_not_ambiguous() -> None:
    assert not ambiguous(ranked(("ask_education", 0.45), ("ask_getting_started", 0.44)))
    assert not ambiguous(ranked(("ask_salary", 0.45), ("out_of_scope", 0.40)))
    assert not ambiguous(ranked(("ask_salary", 0.9)))
    assert not ambiguous([])


@pytest.mark.parametrize("text, occupation", [
    ("is it faster to get into this than nursing", "nursing"),
    ("work life balance compared to nursing?", "nursing"),
    ("is the pay better than being a pharmacy tech", "pharmacy tech"),
    ("nurses vs coders salary", "nurses"),
    ("Medical Biller and Coder vs Patient Care Technician", "patient care technician"),
    ("Medical Assisting vs. Medical Coding & Billing: A Detailed Comparison", "medical assisting"),
    ("Medical Coding vs. Transcription: Career Differences", "transcription"),
    ("What is the difference between medical scribing and coding?", "scribing"),
])
def test_a_comparison_of_the_field_with_one_other_career_is_answered(text: str, occupation: str) -> None:
    assert compared_occupation(text) == occupation
    assert override(text) is None


@pytest.mark.parametrize("text", [
    "medical assistant vs cna which is better",           # two other careers
    "how much do nurses make compared to doctors",
    "is nursing better than teaching",                    # the other career asked about for itself
    "should i become a paralegal instead",
    "is software engineering a better career than coding? like python programming, not medical",
    "how do i become a registered nurse",
    # "difference between" weighs the field only where it names it
    "What is the difference between a certified medical assistant and an uncertified one? is it worth it",
])
def test_other_comparisons_stay_declined(text: str) -> None:
    assert compared_occupation(text) is None
    assert override(text) == OTHER


@pytest.mark.parametrize("text, occupations", [
    ("Stuck between two brochures: Medical Biller or Pharmacy Technician?", "pharmacy technician"),
    ("Phlebotomy, Medical Assistant, Medical Coding... which one fits me?", "phlebotomy or medical assistant"),
    ("The difference between medical scribes, nurses, and billers & coders", "medical scribes or nurses"),
    ("nursing or coding, which is the better life?", "nursing"),
])
def test_the_field_listed_beside_other_careers_is_weighed_against_them(text: str, occupations: str) -> None:
    assert compared_occupation(text) == occupations
    assert override(text) is None


@pytest.mark.parametrize("text", [
    "As a nurse, coding seems like a big change, which certification should I get?",  # no list of jobs
    "I'm an LPN or was one until last year, can I code?",
    "medical assistant, phlebotomy or CNA: which is quickest?",                       # the field is not listed
    "web developer or coder, which pays more",                                        # software's coders
])
def test_a_job_named_near_the_field_is_no_list_of_careers(text: str) -> None:
    assert compared_occupation(text) is None


def test_the_field_side_of_a_comparison_is_the_best_answering_intent() -> None:
    ranking = [{"name": "out_of_scope", "confidence": 0.7}, {"name": "ask_duration", "confidence": 0.2}]
    assert field_side("out_of_scope", ranking) == ranking[1]
    assert field_side("ask_salary", ranking) is None


@pytest.mark.parametrize("text, health", [
    ("how do i get rid of it", False), ("is it worth it", False),
    ("how do i get rid of this rash", True), ("does it hurt", True), ("what should i take for the pain", True),
])
def test_mentions_health(text: str, health: bool) -> None:
    assert mentions_health(text) is health


@pytest.mark.parametrize("text", [
    "how much is the comptia security+ exam",
    "what's the pass rate for the quickbooks certification",
    "is the aws cloud practitioner cert worth the fee",
    "how hard is the certified bookkeeper exam",
    "nclex retake rules",
    # their acronyms look like this field's: the UK drivers' CPC, the counselling CPCE, the CPCU, a crop adviser's CCA
    "how long is driver cpc periodic training valid for",
    "is the cpcu designation worth it for an underwriter",
    "what do clinical research coordinators need for the crc exam",
    "certified crop adviser (CCA) exam dates",
    "CPCE pass rate?",
])
def test_other_fields_certifications_are_another_career(text: str) -> None:
    assert override(text) == OTHER


@pytest.mark.parametrize("text", [
    "I used to be a bookkeeper, could I switch to medical billing?",
    "how much is the cpc exam",
    "I was a clinical research coordinator, can I move into coding?",
    "I'm a truck driver, should I get my CPC?",
    "what is a CPB?",
    "is a medical coding boot camp worth it?",
])
def test_this_fields_questions_naming_them_are_not(text: str) -> None:
    assert override(text) is None


@pytest.mark.parametrize("text, other_career", [
    # "him" and "hit" are everyday words, not this field's HIM and HIT
    ("My nephew is stuck in retail. He hit me with a question: is the CompTIA A+ worth it?", True),
    ("I told him to become a paralegal. How long does that take?", True),
    ("I'm a nurse. Is a HIT degree a good way out of bedside care?", False),
    ("I'm a nurse and want to move into a HIM department. Where do I start?", False),
])
def test_him_and_hit_name_the_field_only_in_capitals(text: str, other_career: bool) -> None:
    assert (override(text) == OTHER) is other_career


@pytest.mark.parametrize("text", [
    # software and IT share "coding", "certification" and "replace" with this field
    "will ai take the jobs of junior developers",
    "is the network+ exam harder than security+",
    "should i get my a+ certification first",
    "do i like writing lines of code enough to make coding my career",
    # other fields' continuing education and credentials
    "how many cpe hours does a cpa need each year",
    "what score do you need to pass the cphq",
])
def test_software_it_and_other_credentials_are_another_career(text: str) -> None:
    assert override(text) == OTHER


@pytest.mark.parametrize("text", [
    "i got an A+ in anatomy, would i make a good coder?",
    "I'm a web developer, could I retrain as a medical coder?",
    "will ai replace medical coders like it replaces developers?",
    # software beside a word only this field uses: a body, billing, a code set, a credential
    "I worry about AI replacing programmers. What does AHIMA's research say about AI in health information jobs?",
    "I did a coding bootcamp for web development, is billing an easier way into healthcare?",
    "is the CPC exam harder than a programming certification?",
])
def test_grades_and_developers_moving_into_the_field_are_not(text: str) -> None:
    assert override(text) is None


@pytest.mark.parametrize("text", [
    "why was i charged two copays for one visit",
    "my deductible reset in january, do i owe the whole lab bill",
    "the EOB says one amount and my hospital bill another",
    "what is balance billing",
    "is COBRA cheaper than a marketplace plan",
])
def test_a_patients_own_bill_is_declined(text: str) -> None:
    assert override(text) == OTHER


@pytest.mark.parametrize("text", [
    # the work with patients' bills
    "as a biller, how do i explain a deductible to a patient",
    "do coders need to understand copays and coinsurance",
    "will a coding job pay my bills",
    "can a medical biller pay the bills on one income",
    # training costs and pay, said in a patient's words
    "is the certificate program tax deductible",
    "what would the training cost me out of pocket",
    "i owe 20k in student loans, is a certificate worth it",
    "do remote jobs pay a premium",
])
def test_the_career_in_a_patients_words_is_not(text: str) -> None:
    assert override(text) is None


@pytest.mark.parametrize("text, declined", [
    # AAPC's apprentice mark is this field's, whoever else the message names
    ("MY CPC-A WAS SUPPOSED TO COME OFF AFTER A YEAR. NOW THEY SAY ONLY A DOCTOR CAN SIGN THE REMOVAL OF APPRENTICE "
     "FORM. IS THAT TRUE?", False),
    ("can a nurse manager sign my apprentice removal letter?", False),
    # any trade's apprentice is not
    ("I'm an electrician apprentice, what does a plumber earn?", True),
])
def test_the_apprentice_mark_names_the_field(text: str, declined: bool) -> None:
    assert (override(text) == OTHER) is declined
