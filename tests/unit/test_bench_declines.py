"""The decline detector recognises replies by the opening of domain.yml's texts."""

import pytest

from bench.declines import DECLINE_RESPONSES, DeclineDetector

TEMPLATES = {
    "utter_out_of_scope": ["Sorry, that's outside what I know. I only cover careers."],
    "utter_fallback": ["Sorry, I'm not sure what you mean. I cover careers in billing."],
    "utter_emergency": ["If this is a medical emergency, call 911 now."],
}


@pytest.fixture
def detector():
    return DeclineDetector(TEMPLATES)


def test_recognises_each_reply_from_rest_messages(detector):
    reply = [{"recipient_id": "x", "text": "If this is a medical emergency, call 911 now."}]
    assert detector.classify(reply) == "utter_emergency"
    assert detector.classify("Sorry, that's outside what I know. I only cover careers.") == "utter_out_of_scope"


def test_prefix_survives_edited_ending_spacing_and_case(detector):
    assert detector.classify("sorry, I'm not  sure what you mean. I cover careers in billing AND coding!") == (
        "utter_fallback"
    )


def test_fallback_followed_by_topic_buttons_is_still_a_fallback(detector):
    reply = [
        {"text": "Sorry, I'm not sure what you mean. I cover careers in billing."},
        {"text": "These topics look closest to what you asked:", "buttons": [{"title": "Pay"}]},
    ]
    assert detector.classify(reply) == "utter_fallback"


def test_real_answers_are_not_declines(detector):
    assert detector.classify([{"text": "The CPC exam has 100 questions. Source: AAPC"}]) is None
    assert detector.classify([{"text": "Sorry to hear that. Coders earn $40,000 to start."}]) is None
    assert detector.classify([]) is None
    assert not detector.is_decline([{"image": "x.png"}])


def test_templates_that_open_the_same_way_are_rejected():
    with pytest.raises(ValueError):
        DeclineDetector(
            {"a": ["Sorry, I can't help with that one at all."], "b": ["Sorry, I can't help with that one at all!"]}
        )


def test_the_real_domain_has_every_decline_response():
    detector = DeclineDetector.from_domain()
    assert set(detector.prefixes.values()) == set(DECLINE_RESPONSES)


def test_emergencies_need_the_emergency_reply():
    from bench.oos import correct

    assert correct("emergency", "utter_emergency")
    assert not correct("emergency", "utter_out_of_scope_medical")
    assert not correct("emergency", None)
    assert correct("medical", "utter_fallback")
    assert not correct("other_topic", None)
