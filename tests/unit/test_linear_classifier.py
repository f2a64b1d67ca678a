"""LinearIntentClassifier must say exactly what Rasa's LogisticRegressionClassifier says, only faster."""

from __future__ import annotations

from typing import List

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.components import LinearIntentClassifier
from bot.nlu.linear import LinearScorer

EXAMPLES = {
    "salary": ["how much do coders make", "what is the pay", "salary for billers", "wage per hour"],
    "remote": ["can i work from home", "remote coding jobs", "work at home as a biller", "is it remote"],
    "exam": ["how hard is the cpc exam", "exam questions", "how long is the test", "passing score"],
}
ASKED = ["how much do remote coders make", "cpc test pay", "completely unrelated words", "home"]


def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def count_vectors(tmp_path) -> CountVectorsFeaturizer:
    config = {**CountVectorsFeaturizer.get_default_config(), "analyzer": "char_wb", "min_ngram": 2, "max_ngram": 4}
    return CountVectorsFeaturizer.create(config, LocalModelStorage(tmp_path), Resource("cv"), context())


def featurise(counts: CountVectorsFeaturizer, messages: List[Message], train: bool = False) -> None:
    """Sparse sentence counts plus a dense sentence block, as the bot's pipeline gives the classifier."""
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    if train:
        tokenizer.process_training_data(TrainingData(messages))
        counts.train(TrainingData(messages))
        counts.process_training_data(TrainingData(messages))
    else:
        tokenizer.process(messages)
        counts.process(messages)
    rng = np.random.default_rng(len(messages))
    for m in messages:
        m.add_features(Features(rng.normal(size=(1, 8)).astype(np.float32), "sentence", "text", "dense"))


def trained(cls, tmp_path, messages: List[Message]):
    clf = cls.create({**cls.get_default_config(), "random_state": 42}, LocalModelStorage(tmp_path),
                     Resource(cls.__name__), context())
    clf.train(TrainingData(messages))
    return clf


@pytest.fixture
def classifiers(tmp_path):
    counts = count_vectors(tmp_path)
    train = [Message(data={"text": t, "intent": i}) for i, texts in EXAMPLES.items() for t in texts]
    featurise(counts, train, train=True)
    return (trained(LogisticRegressionClassifier, tmp_path, train), trained(LinearIntentClassifier, tmp_path, train),
            counts)


def parsed(clf, counts: CountVectorsFeaturizer) -> List[dict]:
    messages = [Message(data={"text": t}) for t in ASKED]
    featurise(counts, messages)
    clf.process(messages)
    return [m.as_dict(only_output_properties=True) for m in messages]


def test_same_intents_and_rankings_as_rasa(classifiers) -> None:
    rasa, ours, counts = classifiers
    assert ours._linear() is not None  # the fast path is the one tested
    for theirs, mine in zip(parsed(rasa, counts), parsed(ours, counts), strict=True):
        assert mine["intent"]["name"] == theirs["intent"]["name"]
        assert [r["name"] for r in mine["intent_ranking"]] == [r["name"] for r in theirs["intent_ranking"]]
        assert [r["confidence"] for r in mine["intent_ranking"]] == pytest.approx(
            [r["confidence"] for r in theirs["intent_ranking"]], abs=1e-9)


def test_features_of_another_width_fall_back_to_rasa(classifiers) -> None:
    _, ours, _ = classifiers
    message = Message(data={"text": "pay"})
    message.add_features(Features(np.ones((1, 3), dtype=np.float32), "sentence", "text", "dense"))
    assert ours._linear().probabilities([message.features[0].features]) is None
    with pytest.raises(ValueError):  # what Rasa's own classifier does with such features
        ours.process([message])


def test_only_multinomial_models_get_the_fast_path() -> None:
    from sklearn.linear_model import LogisticRegression

    x, y = np.eye(4), ["a", "b", "c", "a"]
    assert LinearScorer.from_sklearn(LogisticRegression().fit(x, y)) is not None
    assert LinearScorer.from_sklearn(LogisticRegression(solver="liblinear").fit(x, y)) is None
    assert LinearScorer.from_sklearn(LogisticRegression().fit(x, ["a", "b", "a", "b"])) is None
