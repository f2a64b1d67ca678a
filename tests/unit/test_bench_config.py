"""The cross-validation config is config.yml's pipeline minus the components not learned from data."""

import yaml

from bench import BENCH, ROOT
from bench.nlu_cv import DROPPED_COMPONENTS, derived_config, expected_cv_pipeline


def _pipeline(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))["pipeline"]


def test_cv_pipeline_follows_config_yml():
    assert _pipeline(BENCH / "config_nlu_cv.yml") == expected_cv_pipeline(_pipeline(ROOT / "config.yml")), (
        "bench/config_nlu_cv.yml is out of date: run `python -m bench.nlu_cv --sync`"
    )


def test_expected_pipeline_drops_only_fallbacks_and_rule_overrides():
    pipeline = [{"name": "A"}, {"name": "FallbackClassifier", "threshold": 0.4}, {"name": "B", "random_seed": 1},
                {"name": "bot.nlu.components.ScopeRules"}, {"name": "bot.nlu.components.VocabularyGate"},
                {"name": "bot.nlu.components.EmergencyOverride"}]
    assert expected_cv_pipeline(pipeline) == [{"name": "A"}, {"name": "B", "random_seed": 1}]
    assert "DIETClassifier" not in DROPPED_COMPONENTS


def test_derived_config_keeps_seeds_and_has_no_policies(tmp_path):
    config = tmp_path / "config.yml"
    config.write_text(yaml.safe_dump({"recipe": "default.v1", "language": "en", "assistant_id": "x", "pipeline": [
        {"name": "DIETClassifier", "random_seed": 7}, {"name": "FallbackClassifier"}],
        "policies": [{"name": "RulePolicy"}]}))
    derived = yaml.safe_load(derived_config(config))
    assert derived["pipeline"] == [{"name": "DIETClassifier", "random_seed": 7}]
    assert derived["policies"] == []


def _fold_texts(n_folds=3):
    from rasa.nlu.test import generate_folds
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    data = TrainingData([Message(data={"text": f"example {i}", "intent": f"intent_{i % 2}"}) for i in range(30)])
    return [sorted(m.get("text") for m in test.intent_examples) for _, test in generate_folds(n_folds, data)]


def test_seeded_rasa_makes_the_cross_validation_folds_repeat():
    from bench.seeded_rasa import seed

    seed(0)
    first = _fold_texts()
    seed(0)
    assert _fold_texts() == first
    seed(1)
    assert _fold_texts() != first  # the split does depend on the seed, so the check above can fail
