"""Multi-turn conversations over the REST webhook of the running bot."""

from __future__ import annotations

import re
import uuid

import pytest
import requests

from bot import knowledge
from tests.e2e.conftest import TOKEN, Chat, PrivateBot, events_of

pytestmark = pytest.mark.e2e


def test_certification_follow_ups(chat: Chat) -> None:
    first = chat.text("tell me about the CCS certification")
    assert "AHIMA" in first and "Source" in first
    pay = chat.text("how much does it pay?")
    assert "$55,763" in pay
    assert "Source" in pay
    who = chat.text("and who offers it?")
    assert "AHIMA" in who and "CCS" in who


def test_switching_subject_keeps_the_topic(chat: Chat) -> None:
    chat.text("how much does a CPC make")
    entry = chat.text("what about entry level?")
    assert "$40,000" in entry
    other = chat.text("and the CCS?")
    assert "$55,763" in other


def test_comparison_side_by_side(chat: Chat) -> None:
    reply = chat.text("CIC or COC, which one?")
    assert "CIC" in reply and "COC" in reply
    assert reply.index("CIC") != reply.index("COC")
    assert "$58,730" in reply and "$64,267" in reply


def test_comparison_follow_up_with_context(chat: Chat) -> None:
    chat.text("what is the CPB")
    reply = chat.text("how does it compare to the CPC?")
    assert "CPB" in reply and "CPC" in reply


def test_answers_carry_buttons_and_sources(chat: Chat) -> None:
    messages = chat.say("can I work from home as a coder?")
    assert any("Source" in m.get("text", "") for m in messages)
    assert any(m.get("buttons") for m in messages)
    reply = "\n".join(m["text"] for m in messages)
    assert "51%" in reply and "55%" in reply  # the sources disagree and both are shown


def test_out_of_scope_is_declined_and_conversation_goes_on(chat: Chat) -> None:
    assert "only cover careers" in chat.text("what's a good recipe for lasagna")
    assert "911" in chat.text("I have crushing chest pain right now")
    assert "can't look up" in chat.text("what is the CPT code for a knee MRI")
    assert "$" in chat.text("ok so how much do coders earn")


def test_a_complaint_gets_an_apology_and_a_way_on(chat: Chat) -> None:
    chat.text("how long does it take to get certified")
    messages = chat.say("ugh that's not what i wanted to know")
    assert "another way" in messages[0]["text"]  # not "No problem" (deny) or a goodbye
    assert messages[0].get("buttons")
    assert "$" in chat.text("ok how much do coders make")


def test_fallback_offers_topics_as_buttons(chat: Chat) -> None:
    messages = chat.say("hmm blarg the thing with the stuff")
    assert any(m.get("buttons") for m in messages)
    assert all(m["buttons"][0]["payload"].startswith("/ask_") for m in messages if m.get("buttons"))


@pytest.mark.parametrize(
    "text",
    ["", "   ", "🙂🙂🙂", "<script>alert(1)</script>", "'; DROP TABLE users;--",
     "¿cuánto gana un codificador médico?", "x" * 20_000, "/restart", '/ask_salary{"certification": "<b>"}',
     "\ud800 how much"],
)
def test_bad_input_gets_a_sensible_reply(chat: Chat, text: str) -> None:
    messages = chat.say(text)
    assert messages and all(m.get("text") for m in messages)
    joined = " ".join(m["text"] for m in messages)
    assert "Traceback" not in joined and "Exception" not in joined
    # the conversation is still usable afterwards
    assert "$" in chat.text("how much do medical coders make?")


def test_follow_up_without_a_pointer_word_stays_on_the_subject(chat: Chat) -> None:
    chat.text("tell me about the CCS")
    eligibility = chat.text("who can sit for it?")
    assert "1 year" in eligibility  # the CCS's own eligibility, not every credential's
    assert "$55,763" in chat.text("how much does it pay?")


def test_fees_are_given_with_a_source_and_the_advice_to_confirm(chat: Chat) -> None:
    reply = chat.text("HOW MUCH IS THE CPC EXAM")
    assert "$425" in reply and "$499" in reply
    assert "third-party" in reply  # the figure comes from a test-prep site quoting AAPC, and says so
    assert "confirm the current price" in reply


def test_ai_question_gets_both_sides_with_sources(chat: Chat) -> None:
    reply = chat.text("will AI replace medical coders?")
    assert "9%" in reply and "Journal of AHIMA" in reply


def test_a_named_school_is_not_vouched_for(chat: Chat) -> None:
    reply = chat.text("is penn foster accredited for medical coding")
    assert reply.startswith("I can't vouch for any particular school")
    assert "CAHIIM" in reply and "PCAP" in reply


def test_another_career_that_shares_words_is_declined(chat: Chat) -> None:
    reply = chat.text("i just finished a software coding bootcamp and every junior developer job wants experience")
    assert "only cover careers" in reply
    # someone in another job asking about this one is answered
    assert "$" in chat.text("I'm a CNA, how much could I make as a medical coder?")


def test_a_patients_own_copay_and_an_it_certification_are_declined(chat: Chat) -> None:
    assert "only cover careers" in chat.text("why did the clinic charge me two copays for one appointment?")
    assert "only cover careers" in chat.text("is the CompTIA A+ certification hard to pass")


def test_a_question_of_two_parts_gets_both_answers(chat: Chat) -> None:
    reply = chat.text("I'm switching careers. How long does it take to get certified and what does it cost?")
    assert "months" in reply and "$425" in reply  # the timeline and the fees, each with its sources
    assert reply.count("Sources:") == 2


def test_pay_in_a_state_gives_the_ranking_and_who_has_local_figures(chat: Chat) -> None:
    reply = chat.text("What do medical billers make in Arizona?")
    assert "District of Columbia, California" in reply  # AAPC's highest-paying states
    assert "no pay figures for a single state" in reply and "State & Area Data" in reply
    assert "no pay figures for a single state" in chat.text("and in Georgia?")
    # a question that names no state is back to the general picture
    assert "no pay figures for a single state" not in chat.text("how much do CCS holders make?")
    # "where" pays most names no state, and is answered with the ranking
    assert "District of Columbia, California" in chat.text("where do coders get paid the most?")


def test_a_bare_question_without_a_pointer_word_follows_the_topic(chat: Chat) -> None:
    chat.text("will AI replace medical coders?")
    why = chat.text("why though")
    assert "What would you like to know next" not in why  # not read as "yes"
    assert "AHIMA" in why or "%" in why
    chat.text("can billers work from home?")
    right_away = chat.text("right away?")
    assert "What would you like to know next" not in right_away and "work from home" in right_away
    chat.text("which states pay coders the most?")
    chat.text("lowest?")
    low = chat.text("how low are we talking")  # read as "are you a bot?" without conviction
    assert "I'm a bot" not in low and "$" in low
    assert "I'm a bot" in chat.text("are you a bot?")


def test_what_is_the_field_opens_with_what_the_work_is(chat: Chat) -> None:
    reply = chat.text("define medical coding")
    first_paragraph = reply.split("\n")[0]
    assert "translate" in first_paragraph and "ICD-10" in first_paragraph and "CPT" in first_paragraph


def test_where_to_start_among_named_credentials_gives_each_ones_road(chat: Chat) -> None:
    reply = chat.text("CPC, CCA, RHIT... so many letters. where should I start?")
    assert "AAPC membership" in reply  # the road to the CPC
    assert "AHIMA" in reply and "CAHIIM" in reply  # the CCA's and the RHIT's
    assert "Source" in reply


def test_an_experience_question_after_a_credential_is_about_that_credential(chat: Chat) -> None:
    chat.text("tell me about the CPC")
    reply = chat.text("do I need experience first?")  # no pointer word
    assert "CPC-A" in reply and "2 years" in reply


def _leading_fact(kb: knowledge.KnowledgeBase, reply: str):
    """The knowledge-base fact whose text comes first in the reply."""
    placed = [(reply.find(f.text[:60]), f) for f in kb.facts if f.text[:60] in reply]
    return min(placed, key=lambda p: p[0])[1] if placed else None


@pytest.mark.parametrize("topic_id", sorted(knowledge.get().topics))
def test_a_general_question_typed_as_its_button_is_not_answered_about_one_credential(chat: Chat, topic_id: str) -> None:
    """"How long does it take?" opened with the RHIT's degree rule and made the RHIT the subject."""
    kb = knowledge.get()
    topic = kb.topics[topic_id]
    reply = chat.text(topic.button)
    assert "only cover careers" not in reply
    lead = _leading_fact(kb, reply)
    assert lead is not None, reply
    named = {c.id for c in kb.entities["certification"].values()
             if re.search(rf"\b{re.escape(c.short_label)}\b", topic.button)}
    about = set(lead.about.get("certification", ()))  # a general fact, or one about what the label names
    assert not about or about & named, lead.id


def test_is_it_just_data_entry_gets_what_the_work_involves(chat: Chat) -> None:
    reply = chat.text("honestly isn't medical coding just data entry?")
    assert "more than data entry" in reply
    assert "medical record" in reply and "ICD-10-CM" in reply and "Source" in reply


def test_do_i_have_to_memorize_codes_says_coders_look_them_up(chat: Chat) -> None:
    reply = chat.text("do coders have to memorize thousands of codes?")
    assert "by heart" in reply and "open code book" in reply


def test_a_newly_listed_school_gets_the_honest_general_answer(chat: Chat) -> None:
    reply = chat.text("how long does the MedCerts medical coding program take?")
    assert reply.startswith("My sources have nothing specific on how long it takes for MedCerts")
    assert "CAHIIM" in reply


def test_the_field_against_another_career_gets_this_fields_side(chat: Chat) -> None:
    reply = chat.text("Medical Biller and Coder vs Pharmacy Technician")
    assert reply.startswith("I can only speak for medical billing and coding, not pharmacy technician")
    assert "Side by side" not in reply and "Source" in reply
    # the field's job listed among other careers is the same choice
    listed = chat.text("Phlebotomy, Medical Assistant or Medical Coding... they all sound good, which one is for me?")
    assert listed.startswith("I can only speak for medical billing and coding, not phlebotomy or medical assistant")
    assert "Demand is strong" in listed


def test_a_named_employer_is_not_spoken_for_and_the_follow_up_stays_honest(chat: Chat) -> None:
    pay = chat.text("How much does Kaiser pay medical coders?")
    assert pay.startswith("My sources have nothing specific on pay for Kaiser Permanente")
    assert "$50,250" in pay and "job postings" in pay
    remote = chat.text("do they let you work from home?")
    assert remote.startswith("My sources have nothing specific on working from home for Kaiser Permanente")
    assert "51%" in remote


def test_a_long_story_that_leaves_the_reading_unsure_is_answered_by_its_question(chat: Chat) -> None:
    reply = chat.text("So I was laid off from my warehouse job in March and I've been trying to figure out "
                      "what's next. I don't want to go back to school for four years and I have two kids at "
                      "home. What even is medical billing and coding?")
    assert "only cover careers" not in reply and "not sure" not in reply.lower()
    assert "codes" in reply and "Source" in reply


def test_a_storys_question_read_in_the_messages_own_run_reads_as_rasa_reads_it_alone(private: PrivateBot) -> None:
    story = "I'm a former paralegal taking a terminology course. What are the requirements to sit for the CCS exam?"
    asked = "What are the requirements to sit for the CCS exam?"
    sender = f"e2e-story-{uuid.uuid4().hex[:8]}"
    url = private.settings.rasa_url
    reply = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": story}, timeout=30)
    assert reply.status_code == 200 and "CCS" in " ".join(m.get("text", "") for m in reply.json())
    parse = events_of(private.tracker(sender), "user")[-1]["parse_data"]
    alone = requests.post(f"{url}/model/parse", params={"token": TOKEN}, json={"text": asked}, timeout=10).json()
    assert "question_reading" not in alone  # one sentence: Rasa's own single parse
    assert parse["question_reading"]["text"] == asked
    assert parse["question_reading"]["intent"] == alone["intent"]
    assert parse["question_reading"]["fact_scores"] == alone["fact_scores"]


def test_practicode_stays_the_subject_of_a_follow_up_that_names_nothing(chat: Chat) -> None:
    first = chat.text("What is the Medical Coding Practicode By AAPC?")
    assert "redacted medical records" in first and "AAPC stands for" not in first
    credit = chat.text("does it count toward removing the A?")
    assert "takes one year off" in credit
    cost = chat.text("how much does it cost?")
    assert "nothing specific on costs for Practicode" in cost


def test_several_credentials_and_how_to_choose_are_compared_side_by_side(chat: Chat) -> None:
    reply = chat.text("AHIMA, AAPC, CCA, CPC... they all sound the same, how do I choose?")
    assert "- CCA:" in reply and "- CPC:" in reply
    assert "physician office settings" in reply


def test_accreditation_and_approval_are_answered_from_the_school_facts(chat: Chat) -> None:
    assert "voluntary" in chat.text("Is CAHIIM accreditation required?")
    assert "Directory of PCAP Approved Programs" in chat.text("What is PCAP?")


def test_what_non_members_pay_is_a_fee_not_a_salary(chat: Chat) -> None:
    reply = chat.text("How much do non-members pay for the CCA?")
    assert "$299" in reply and "$43,548" not in reply  # the exam fee, not CCA holders' pay


def test_the_downsides_are_not_answered_with_the_draws(chat: Chat) -> None:
    assert "The drawbacks" not in chat.text("is medical coding a good career?")
    cons = chat.text("what are the cons of medical billing and coding?")
    assert "The drawbacks" in cons and "$35,000" in cons


def test_someone_saying_what_they_want_to_do_gets_the_first_steps(chat: Chat) -> None:
    reply = chat.text("i'm a CNA thinking of switching to coding")
    assert "not sure what you mean" not in reply and "only cover careers" not in reply


def test_becoming_a_specialist_gets_the_first_steps_not_promotion(chat: Chat) -> None:
    reply = chat.text("how could I become a medical coding specialist?")
    assert "high school" in reply and "certificate" in reply
    assert "supervisor" not in reply  # "specialist" is the entry job, not a step up


def test_health_information_technology_is_the_records_occupation(chat: Chat) -> None:
    reply = chat.text("is billing and coding the same thing as health information technology")
    assert "health information technician" in reply.lower() and "BLS counts coders and billers" in reply


def test_ce_credits_are_continuing_education(chat: Chat) -> None:
    reply = chat.text("where can i find free CE credits")
    assert "continuing education" in reply.lower() and "every 2 years" in reply


def test_cpc_or_cpb_sets_coding_beside_billing_work(chat: Chat) -> None:
    reply = chat.text("CPC or CPB?")
    assert "Side by side" in reply and "physician office" in reply and "denial resolution" in reply


def test_which_exam_is_cheaper_sets_the_fees_side_by_side(chat: Chat) -> None:
    reply = chat.text("which exam is cheaper, the CPC or the CCA?")
    assert "Side by side" in reply and "$425" in reply and "$199" in reply


def test_a_story_naming_credentials_then_asking_which_one_sets_them_side_by_side(chat: Chat) -> None:
    reply = chat.text("My brother wants out of retail and keeps sending me lists: CBCS, CPC, CCA. They all sound "
                      "alike to him. Which one is going to actually get him hired?")
    assert "Side by side" in reply
    assert "National Healthcareer Association" in reply and "physician office" in reply and "starter" in reply
