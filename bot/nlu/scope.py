"""High-precision rules for requests the bot must decline whatever the classifier thinks.

A classifier trained on billing-and-coding questions reads "what do radiology
techs make an hour" as a salary question, because that is all it has seen. These
rules catch the out-of-scope cases that matter most, in this order:

1. a medical emergency or crisis (``bot.nlu.emergency``),
2. a message in another language (``bot.nlu.language``): the bot answers in English only,
3. a request for a specific code ("ICD-10 code for asthma", "how do I code a fracture"),
4. a personal medical question (symptoms, test results, medication),
5. another occupation with nothing about billing or coding in the message,
6. a patient's own bill or insurance cover, with nothing about the work.

Each returns the intent to use, or ``None`` to keep the classifier's answer.

The other way round, :func:`in_field` keeps a doubtful generic decline from
hiding a question that names one of the field's own credentials, bodies or code
sets ("certified medical insurance specialist pay").
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping, Sequence

from bot.nlu.emergency import sounds_like_emergency
from bot.nlu.language import other_language

EMERGENCY = "medical_emergency"
CODE_LOOKUP = "out_of_scope_code_lookup"
OTHER = "out_of_scope"
MEDICAL = "out_of_scope_medical"
LANGUAGE = "other_language"
#: Where the parse data names the occupation a message compares this field with.
COMPARED_KEY = "compared_occupation"

_I = re.IGNORECASE

#: Intents that decline or fall back rather than answer.
DECLINES = frozenset({EMERGENCY, CODE_LOOKUP, OTHER, MEDICAL, LANGUAGE, "nlu_fallback"})
#: Entity types that exist only in this field: a message naming one is about it.
FIELD_ENTITY_TYPES = frozenset({"certification", "organization", "coding_system", "program"})
#: A generic out-of-scope reading at least this confident stands even then.
DOUBTFUL_DECLINE = 0.5

_CODE_SET = (
    r"(icd[\s-]?10(?:[\s-]?(?:cm|pcs))?|icd[\s-]?9|icd|cpt|hcpcs|dx|diagnosis|diagnostic|procedure|billing|e/?m|drg)"
)
_CODE_LOOKUP = re.compile(
    "|".join(
        [
            rf"\b{_CODE_SET}\s+codes?\s+(?:for|of|to use for|when)\s+\w",  # not "what are HCPCS codes for?"
            r"\b(?:the|a|what|which|right|correct|proper)\s+codes?\s+(?:for|to use for)\s+"
            r"(?!medical\b|billing\b|coding\b|this job\b|a living\b)[a-z]",
            r"\bhow\s+(?:do|would|should|can|to)\s+(?:i|you|we|one)?\s*(?:code|bill)\s+(?:a|an|for|the|this|my|someone)\b",
            r"\bwhat(?:'s| is| are)?\s+the\s+(?:right|correct|proper)?\s*code\b",
            r"\b(?:which|what)\s+modifiers?\b",
            r"\bmodifier\s+(?:\d\d|for|to use)\b",
            r"\blook\s*up\s+(?:a|the|this)?\s*codes?\b",
            r"\b[A-TV-Z]\d{2}\.\d{1,4}\b",  # an ICD-10-CM code such as E11.9
            r"\b(?:cpt|hcpcs)\s+\d{4,5}\b",
        ]
    ),
    _I,
)

_OCCUPATIONS = re.compile(
    r"\b("
    r"nurs(e|es|ing)|rn|lpn|lvn|cna|np|nurse practitioner|pharmacists?|pharmacy tech\w*|phlebotom\w*|"
    r"radiolog\w*|x-?ray techs?|ultrasound|sonograph\w*|mri techs?|dental (assistants?|hygienists?)|hygienists?|"
    r"medical assistants?|emts?|paramedics?|firefighters?|police( officers?)?|teachers?|truck drivers?|truckers?|"
    r"electricians?|plumbers?|welders?|hvac|mechanics?|accountants?|lawyers?|paralegals?|"
    # not a doctor's papers and visits, which are this field's material ("turn a doctor's notes into codes")
    r"physician assistants?|(?<!by )(?<!with )(?<!to )(?<!from )(?<!for )doctors?(?![\'\u2019]?s?[\'\u2019]? "
    r"(offices?|notes?|orders?|documentation|charts?|records?|dictation|paperwork|insurance|bills?|billing|claims?|"
    r"visits?|appointments?)\b)|"
    r"surgeons?|dentists?|physical therap\w*|occupational therap\w*|"
    r"respiratory therap\w*|surgical techs?|lab techs?|vet techs?|veterinar\w*|massage therap\w*|"
    r"cosmetolog\w*|barbers?|real estate|pilots?|chefs?|cooks?|caregivers?|home health aides?|"
    r"medical transcription\w*|transcription|transcriptionists?|scrib(e|es|ing)|cashiers? jobs?|data scientists?|"
    r"medical assisting|patient care tech\w*|psychiatric tech\w*|sterile processing( tech\w*)?|ekg tech\w*|"
    r"medical office (specialists?|administrat\w*|assistants?)|"
    r"software (developers?|engineers?|engineering)|(web |junior |senior |app )?developers?|programm(er|ers|ing)|"
    r"devops|cyber ?security|it support|"
    # other fields' certifications, whose questions share this field's words (exam fee, pass rate, certified)
    r"bookkeep\w*|quickbooks|comptia|ccna|cisco|aws|azure|solutions architects?|pmp|cpas?|cpe|nclex|ptcb|cphq"
    r")\b"
    # CompTIA's Network+, Security+..., and its A+ (not a grade: "an A+ in anatomy")
    r"|(?<![\w+])(network|security|linux|cloud|server)\+(?![\w+])|(?<![\w+])a\+ ?(cert\w*|exams?)\b",
    _I,
)
_SOFTWARE = re.compile(
    r"\b(software (developers?|engineers?|engineering|development)|programming|programmers?|python|javascript|"
    r"c\+\+|boot ?camps?|leetcode|computer science|web dev\w*|front ?end dev\w*|back ?end dev\w*|lines of code)\b",
    _I,
)
#: Other fields' credentials whose names share or resemble this field's acronyms ("Driver CPC", the
#: counselling CPCE, the insurance CPCU, a Certified Crop Adviser "CCA", a Clinical Research Coordinator
#: "CRC"): another career, unless the message also speaks of billing or coding ("I was a clinical research
#: coordinator, can I move into coding?"). Chosen on 30 real questions about such credentials
#: (``bench/real_questions.yml``, ``rx*``); a bare acronym ("What is a CPB?") is read as this field's.
_OTHER_FIELD_CREDENTIALS = re.compile(
    r"\b((drivers?'?|diver|transport manager) cpc|cpce|cpcu|certificate of professional competence|"
    r"professional constructor|construction (project|specifier)s?|rehabilitation counsel\w*|clinical research|"
    r"insurance counselor|infection prevention|crop advis\w*|cloud security|isc2|citrix|"
    r"certificate of competency|public bookkeep\w*)\b",
    _I,
)
#: This field's work, jobs, bodies and code sets. HIM and HIT (health information management /
#: technician) count in capitals only: "him" and "hit" are everyday words ("he hit me with a question").
_WORDS_OF_THE_WORK = (r"billing|billers?|cod(e|es|er|ers|ing)|medical records?|health information|(?-i:HIM|HIT)|"
                      r"revenue cycle|aapc|ahima|icd|cpt|hcpcs|"
                      # AAPC's apprentice mark: "UNLESS A DOCTOR COMPLETE A REMOVAL OF APPRENTICE FORUM" is no doctor's
                      # question (a bare "apprentice" is any trade's)
                      r"(cpc|coc)-a|apprentice (status|designation|removal|letter)|remov\w* (of )?(the )?apprentice")
#: ... and the words a patient uses about their own bill, which belong to the field too.
_WORDS_OF_THE_FIELD = rf"bills?|billed|claims?|reimburse\w*|{_WORDS_OF_THE_WORK}"
#: Acronyms this field shares with others (:data:`_OTHER_FIELD_CREDENTIALS`).
_SHARED_ACRONYMS = "cpc|ccs|cpb|cca"
#: This field's words, without the acronyms other fields share (for :data:`_OTHER_FIELD_CREDENTIALS`).
_FIELD_WORDS = re.compile(rf"\b({_WORDS_OF_THE_FIELD})\b", _I)
#: ... and with them.
_DOMAIN = re.compile(rf"\b({_WORDS_OF_THE_FIELD}|{_SHARED_ACRONYMS})\b", _I)
#: The work without a patient's bill: "passed my CPC", "a medical biller", not "should I just pay the bill?".
#: NHA's CBCS counts here too; the field's lists above never had it, and adding it there would change which
#: messages the other-career rule declines, a separate decision.
_THE_WORK = re.compile(rf"\b({_WORDS_OF_THE_WORK}|{_SHARED_ACRONYMS}|cbcs)\b", _I)
_MEDICAL_CODING = re.compile(r"\bmedical\s+(billing|coding|coder|biller|records)", _I)
#: What a patient says about their own bill and cover, and a career question does not: copays, deductibles,
#: an EOB, "my hospital bill", "billed me", premiums, COBRA ("pay the bills" is a wage, not a patient's bill;
#: "tax-deductible", "out of pocket" and "I owe" are said of training costs too).
#: Chosen on the real-question dev set's patients (``rp*``, ``rw*``), checked on real_test.yml's ``rz*``.
_PATIENT_BILL = re.compile(
    r"\b(co-?pays?|co-?insurance|(?<!tax )(?<!tax-)deductibles?|eobs?|explanation of benefits|"
    r"out[- ]of[- ]pocket max\w*|balance billing|surprise (medical )?(bills?|billing)|medical debt|"
    r"(insurance )?premiums|insurance premium|cobra|"
    r"(?<!pay )(my|our|her|his) (own )?(medical |hospital |lab |er |ambulance |doctor'?s? )?"
    r"(bills?|statements?|charges)|"
    r"billed (me|us|my)|charged (me|us|my)|(my|our) (insurance|insurer|claim))\b",
    _I,
)

_PERSONAL = re.compile(
    r"\b(i|i'?m|im|i'?ve|my|me|mine)\b", _I
)
_SYMPTOMS = re.compile(
    r"\b(pain|ache|aches|aching|headaches?|migraines?|rash|fever|cough\w*|symptoms?|sore|swollen|swelling|"
    r"blood (test|pressure|sugar|work)|a1c|cholesterol|medication|medicine|meds|pills?|dose|dosage|"
    r"ibuprofen|tylenol|antibiotics?|pregnan\w*|(?<!waiting )(?<!grace )(?<!time )(?<!trial )(?<!probation )period|"
    r"mole|lump|infection|infected|sick|nausea|"
    r"vomit\w*|dizz\w*|diarrh\w*|insomnia|anxiety attack|depress\w*|diagnosed|lab results?|test results?|"
    r"mri results?|x-?ray results?|prescri\w*)\b",
    _I,
)
_ADVICE = re.compile(
    r"\b(should i|what (should|can) i take|is (it|this) (normal|serious|cancer)|do i have|"
    r"what does (it|this) mean|interpret|treat\w*|cure|remedy|how (do|can) i (get rid|treat|stop))\b",
    _I,
)


#: "than", "compared to", "vs": a message weighing two things.
_COMPARISON = r"(?:than|compared (?:to|with)|comparing (?:it )?(?:to|with)|vs\.?|versus|rather than|instead of)"
_COMPARES = re.compile(rf"\b{_COMPARISON}\b", _I)
#: "the difference between medical scribing and coding": a comparison only where the field is named as one side
#: ("the difference between a certified medical assistant and an uncertified one" is about that job alone).
_BETWEEN = re.compile(r"\bdifferences? between\b", _I)
#: What stands between the comparison word and the occupation it weighs this field against.
_OBJECT = r"(?:a |an |the |being (?:a |an )?|becoming (?:a |an )?|going into |doing |working as (?:a |an )?)?"
#: Words by which a message means this field without naming it ("is it faster to get into this than nursing").
_THIS_FIELD = re.compile(r"\b(this|it|that|these jobs|here)\b", _I)


#: Where a sentence ends, or a list is introduced ("paralyzed by indecision: Medical Coder or Medical Assistant?").
_CLAUSE_END = re.compile(r"[.!?\u2026:;\"\u201c\u201d]+")
#: What separates the items of a list of jobs.
_ITEM_SEPARATOR = re.compile(r",|/|\bor\b|\bvs\.?(?=\s)|\bversus\b", _I)
#: Words an item of such a list may start with ("... the difference between Medical Scribes, ...", "and Billing").
_ITEM_LEAD = re.compile(
    r"^(?:.*\bbetween|and|or|either|becoming|being|a|an|the)\s+", _I)
#: This field's jobs, as a whole item of a list ("Medical Biller", "Billing and Coding", "medical coders").
_FIELD_JOB = re.compile(
    r"(?:medical )?(?:(?:billing|coding)(?: (?:and|&|n|and/or) (?:billing|coding))?|"
    r"(?:billers?|coders?)(?: (?:and|&|and/or) (?:billers?|coders?))?)(?: specialists?)?", _I)
#: Another occupation as a whole item ("Medical Assistant", "Phlebotomy", "certified nurses").
_OCCUPATION_ITEM = re.compile(rf"(?:(?:medical|certified|registered|licensed) )?(?:{_OCCUPATIONS.pattern})", _I)


def _item(text: str) -> str:
    item = text.strip(" \t\n'*()[]")
    while True:
        shorter = _ITEM_LEAD.sub("", item)
        if shorter == item:
            return item
        item = shorter.strip()


def _listed_occupations(text: str) -> list[str]:
    """Other occupations listed beside this field's job as the items of one list, in their order.

    "Medical Coder or Medical Assistant?", "Medical Assistant, Phlebotomy, Billing and
    Coding... which one?": a choice between jobs, the field's among them. Each item is a
    job name and nothing more, so "As a nurse, coding seems hard" lists nothing.
    """
    for clause in _CLAUSE_END.split(text or ""):
        items = [_item(part) for part in _ITEM_SEPARATOR.split(clause)]
        if len(items) < 2 or not any(_FIELD_JOB.fullmatch(item) for item in items):
            continue
        others = [item for item in items if _OCCUPATION_ITEM.fullmatch(item)]
        if others:
            return others
    return []


def compared_occupation(text: str) -> str | None:
    """The other occupation (or occupations) a message weighs this field against, if that is what it does.

    "is it faster to get into this than nursing", "work life balance compared to
    nursing?", "is nursing a better career than coding": the field is one side
    (named, pointed at, or implied because the occupation is what it is compared
    *with*), so the field's side can be answered. So where the field's job is one item
    of a list of jobs ("Medical Coder or Medical Assistant?", "Medical Assistant,
    Phlebotomy, Billing and Coding..."): the others are named together ("medical
    assistant or phlebotomy"). Two other occupations weighed against each other
    ("medical assistant vs cna"), or one asked about for itself ("should i become a
    paralegal instead"), or software ("than coding? like python") are not.
    """
    if _SOFTWARE.search(text or "") and not _MEDICAL_CODING.search(text):
        return None
    listed = _listed_occupations(text)
    if listed:
        return " or ".join(dict.fromkeys(item.lower() for item in listed))
    weighs = _COMPARES.search(text or "") or (_BETWEEN.search(text or "") and _DOMAIN.search(text))
    if not weighs:
        return None
    named = {m.group(0).lower() for m in _OCCUPATIONS.finditer(text)}
    if len(named) != 1:
        return None
    occupation = named.pop()
    as_object = re.search(rf"\b{_COMPARISON}\s+{_OBJECT}{re.escape(occupation)}\b", text, _I)
    return occupation if as_object or _DOMAIN.search(text) or _THIS_FIELD.search(text) else None


#: Anything about health or the body: a message with none of it is no medical question
#: ("how do i get rid of it" after the CPC-A is about the apprentice mark).
_HEALTH = re.compile(
    r"\b(health|medical|medic\w*|doctors?|nurses?|hospital|er|symptoms?|sick|ill|illness|pain\w*|hurts?|hurting|"
    r"sore|ache\w*|body|skin|blood|bleed\w*|heart|lungs?|stomach|head|throat|chest|back|knee|leg|arm|eyes?|teeth|"
    r"tooth|breath\w*|fever|rash|cough\w*|cold|flu|virus|infect\w*|injur\w*|wound|burn|bruise|lump|mole|cancer|"
    r"diabet\w*|pregnan\w*|allerg\w*|drugs?|pills?|meds?|medicine|medication|dose|dosage|treat\w*|cure|"
    r"diagnos\w*|therap\w*|surgery|weight|diet|sleep|anxiety|depress\w*|mental|stress(ed)?|"
    r"take (something|anything) for)\b",
    _I,
)


def names_the_field(text: str) -> bool:
    """Whether ``text`` uses a word of this field ("billing", "coder", "CPC", "AHIMA", ...)."""
    return bool(_DOMAIN.search(text or ""))


def names_the_work(text: str) -> bool:
    """Whether ``text`` speaks of this field's work ("passed my CPC", "a medical biller"), not only of a bill."""
    return bool(_THE_WORK.search(text or ""))


def mentions_health(text: str) -> bool:
    return bool(_HEALTH.search(text or "") or _SYMPTOMS.search(text or ""))


def is_code_lookup(text: str) -> bool:
    return bool(_CODE_LOOKUP.search(text))


def _work_beside_software(text: str) -> bool:
    """A word of this field's work that software does not use ("AHIMA", "billing", "HCPCS", "CPC"): beside
    "programmers" or "bootcamp" the message is still about this field, as it is beside "medical coding".
    "Code" and "coding" are software's words too."""
    return any(not m.group(0).lower().startswith("cod") for m in _THE_WORK.finditer(text))


def is_other_occupation(text: str) -> bool:
    if compared_occupation(text):
        return False
    if _SOFTWARE.search(text) and not (_MEDICAL_CODING.search(text) or _work_beside_software(text)):
        return True
    if _OTHER_FIELD_CREDENTIALS.search(text) and not _FIELD_WORDS.search(text):
        return True
    return bool(_OCCUPATIONS.search(text)) and not _DOMAIN.search(text)


def is_patients_bill(text: str) -> bool:
    """A patient asking about their own bill or cover ("Can I be charged two copays for one visit?").

    Unless the rest of the message speaks of the work ("as a biller, how do I explain a deductible?").
    """
    if not _PATIENT_BILL.search(text):
        return False
    return not _THE_WORK.search(_PATIENT_BILL.sub(" ", text))


def is_personal_medical(text: str) -> bool:
    if _DOMAIN.search(text):
        return False
    return bool(_SYMPTOMS.search(text) and (_PERSONAL.search(text) or _ADVICE.search(text)))


def override(text: str) -> str | None:
    """The intent these rules impose on ``text``, if any."""
    if not text or text.startswith("/"):
        return None
    if sounds_like_emergency(text):
        return EMERGENCY
    if other_language(text):
        return LANGUAGE
    if is_code_lookup(text):
        return CODE_LOOKUP
    if is_personal_medical(text):  # "should i see a doctor for my cough" is a medical question, not a career one
        return MEDICAL
    if is_other_occupation(text) or is_patients_bill(text):
        return OTHER
    return None


#: Top two intents closer than this, one answering and one declining: ask rather than guess.
AMBIGUITY = 0.02


def ambiguous(ranking: Sequence[Mapping[str, object]]) -> bool:
    """The classifier is torn between answering and declining (its top two within ``AMBIGUITY``).

    Two answering intents this close are not ambiguous for this bot: either
    answer helps, and the answer adds the closest fact of another topic anyway
    ("i only have my GED, can i still become a coder?": education vs
    getting_started). Rasa's FallbackClassifier cannot tell the cases apart,
    so its ``ambiguity_threshold`` is off and this rule takes its place.
    """
    top = [r for r in ranking if r.get("name") != "nlu_fallback"][:2]
    if len(top) < 2:
        return False
    first, second = (float(r.get("confidence") or 0.0) for r in top)
    declines = [r.get("name") in DECLINES for r in top]
    return first - second < AMBIGUITY and declines[0] != declines[1]


def field_side(intent: str | None, ranking: Sequence[Mapping[str, object]]) -> Mapping[str, object] | None:
    """The best answering intent for a comparison with another occupation (:func:`compared_occupation`).

    The classifier learnt other careers as ``out_of_scope`` and may read the
    whole message so; the field's side of it is still a question to answer.
    """
    return _best_answer(ranking) if intent in RECONSIDERED else None


#: The declines a better reading may replace: the classifier's generic one and a fallback for low confidence.
RECONSIDERED = (OTHER, "nlu_fallback")


def _best_answer(ranking: Sequence[Mapping[str, object]]) -> Mapping[str, object] | None:
    return next((r for r in ranking if r.get("name") not in DECLINES), None)


def doubtful(intent: str | None, confidence: float) -> bool:
    """A decline a better reading may replace: the classifier's generic one below ``DOUBTFUL_DECLINE``,
    or a fallback for low confidence; never a rule's (confidence 1.0) or an emergency."""
    return intent in RECONSIDERED and confidence < DOUBTFUL_DECLINE


def in_field(intent: str | None, confidence: float, entity_types: Iterable[str],
             ranking: Sequence[Mapping[str, object]]) -> Mapping[str, object] | None:
    """The classifier's best answering intent, when a doubtful generic decline names a field entity.

    Only the classifier's own ``out_of_scope`` below ``DOUBTFUL_DECLINE``, or a
    fallback for low confidence ("how much experience should i have before
    sitting the ccs": no intent reaches 0.3, but it is about the CCS), is
    reconsidered; the rules above (emergencies, code look-ups, other careers,
    medical questions) always stand.
    """
    if not doubtful(intent, confidence) or not FIELD_ENTITY_TYPES & set(entity_types):
        return None
    return _best_answer(ranking)
