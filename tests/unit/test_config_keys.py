"""Every option in config.yml is one its component reads.

Rasa merges a component's options into its defaults without checking the names,
so a misspelt or borrowed option is dropped without a word: ``ngram_range: [1, 2]``
(scikit-learn's name) on a CountVectorsFeaturizer, whose options are
``min_ngram``/``max_ngram``, left the word features at single words.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping

import pytest
import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from bench import ROOT


def _sections() -> Dict[str, List[Mapping[str, Any]]]:
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    return {"pipeline": config["pipeline"], "policies": config["policies"]}


def unknown_options(component: Mapping[str, Any]) -> List[str]:
    known = DefaultV1Recipe._from_registry(component["name"]).clazz.get_default_config()
    return sorted(set(component) - {"name"} - set(known))


@pytest.mark.parametrize(("section", "index"), [(s, i) for s, items in _sections().items() for i in range(len(items))])
def test_every_option_is_one_the_component_reads(section: str, index: int) -> None:
    component = _sections()[section][index]
    assert unknown_options(component) == [], f"{section}[{index}] {component['name']}: options it does not read"


def test_a_borrowed_option_name_is_reported() -> None:
    assert unknown_options({"name": "CountVectorsFeaturizer", "ngram_range": [1, 2], "max_ngram": 2}) == [
        "ngram_range"]
