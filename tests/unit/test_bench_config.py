"""The cross-validation config is config.yml's pipeline minus the two rule components."""

import yaml

from bench import BENCH, ROOT
from bench.nlu_cv import DROPPED_COMPONENTS, expected_cv_pipeline


def _pipeline(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))["pipeline"]


def test_cv_pipeline_is_the_bot_pipeline_minus_fallback_and_override():
    assert _pipeline(BENCH / "config_nlu_cv.yml") == expected_cv_pipeline(_pipeline(ROOT / "config.yml"))


def test_expected_pipeline_drops_only_the_named_components():
    pipeline = [{"name": "A"}, {"name": "FallbackClassifier", "threshold": 0.4}, {"name": "B", "random_seed": 1},
                {"name": "bot.nlu.components.EmergencyOverride"}]
    assert expected_cv_pipeline(pipeline) == [{"name": "A"}, {"name": "B", "random_seed": 1}]
    assert set(DROPPED_COMPONENTS) == {"FallbackClassifier", "bot.nlu.components.EmergencyOverride"}
