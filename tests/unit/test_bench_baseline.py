"""Passage splitter and TF-IDF search box of the peer baseline."""

from bench.baseline import SearchBox, split_passages

ARTICLE = """Why Medical Coding?
Coders turn records into codes. Codes drive insurance claims. Claims get providers paid. Accuracy matters a lot.
Salary Expectations
- Certified coders earn about $58,000 a year.
- Remote work is common.

Getting Certified
The CPC exam has 100 questions and lasts four hours.
"""


def test_passages_are_a_few_sentences_and_keep_their_heading():
    passages = split_passages(ARTICLE, max_sentences=3)
    assert passages[0] == (
        "Why Medical Coding? Coders turn records into codes. Codes drive insurance claims. Claims get providers paid."
    )
    assert passages[1] == "Accuracy matters a lot."
    assert passages[2].startswith("Salary Expectations - Certified coders earn about $58,000")
    assert passages[3] == "Getting Certified The CPC exam has 100 questions and lasts four hours."
    assert len(passages) == 4


def test_long_text_is_cut_by_characters_too():
    text = " ".join(f"Sentence number {i} is here." for i in range(10))
    passages = split_passages(text, max_sentences=10, max_chars=60)
    assert len(passages) > 3
    assert all(len(p) <= 60 for p in passages)


def test_search_returns_the_passage_sharing_rare_terms():
    passages = split_passages(ARTICLE)
    box = SearchBox(passages)
    assert "100 questions" in box.top("how many questions on the CPC exam")
    assert "$58,000" in box.top("what salary do certified coders earn")
    hits = box.search("insurance claims", k=2)
    assert hits[0][1] == 0 and hits[0][0] > 0


def test_no_shared_terms_means_no_answer():
    box = SearchBox(split_passages(ARTICLE))
    assert box.top("zzz qqq") == ""
