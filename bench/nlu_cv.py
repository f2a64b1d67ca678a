"""Section ``nlu``: 5-fold cross-validation of intents and knowledge entities.

Runs ``rasa test nlu --cross-validation`` with ``bench/config_nlu_cv.yml`` and
reads the intent report and the KnowledgeEntityExtractor report it writes.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any, Dict, List, Mapping

import yaml

from bench import BENCH, OUT, PLOTS, ROOT
from bench.runner import run_logged, shown
from bench.seeded_rasa import CV_SEED

CONFIG = BENCH / "config_nlu_cv.yml"
#: Not learned from data/nlu, so left out of the cross-validation: the
#: confidence fallback, the vocabulary gate (also answers ``nlu_fallback``) and
#: the rule overrides (``ScopeRules`` replaced ``EmergencyOverride``); ``FactRanker``
#: does not touch intents or entities, it only saves embedding the facts per fold.
DROPPED_COMPONENTS = (
    "FallbackClassifier",
    "bot.nlu.components.VocabularyGate",
    "bot.nlu.components.ScopeRules",
    "bot.nlu.components.FactRanker",
    "bot.nlu.components.EmergencyOverride",
)
HEADER = """\
# NLU-only config for `python -m bench --only nlu` (5-fold cross-validation).
# Same pipeline and random seeds as ../config.yml, minus the components that are
# not learned from data/nlu: {dropped}.
# They would turn predictions into nlu_fallback or override them by rule and hide
# what the classifier learned. Regenerate after editing config.yml:
#   python -m bench.nlu_cv --sync      (tests/unit/test_bench_config.py checks it)
"""
ENTITY_EXTRACTOR = "KnowledgeEntityExtractor"
AVERAGES = {"accuracy", "macro avg", "micro avg", "weighted avg", "no_entity"}
PLOT_FILES = {"intent_confusion_matrix.png": "nlu_intent_confusion_matrix.png",
              "intent_histogram.png": "nlu_intent_confidence_histogram.png"}
QUICK_FOLDS, QUICK_EPOCHS = 2, 20


def expected_cv_pipeline(pipeline: List[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """``config.yml``'s pipeline without the fallback and the emergency rule.

    Comments aside, the CV config must hold exactly this (a unit test checks).
    """
    return [dict(c) for c in pipeline if c.get("name") not in DROPPED_COMPONENTS]


def derived_config(config_path: Path = ROOT / "config.yml") -> str:
    """The text of ``config_nlu_cv.yml`` as ``config.yml`` implies it."""
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    pipeline = expected_cv_pipeline(config["pipeline"])
    body = {"recipe": config.get("recipe", "default.v1"), "language": config.get("language", "en"),
            "assistant_id": f"{config.get('assistant_id', 'bot')}-nlu-cv", "pipeline": pipeline, "policies": []}
    return HEADER.format(dropped=", ".join(d.rsplit(".", 1)[-1] for d in DROPPED_COMPONENTS)) + "\n" + yaml.safe_dump(
        body, sort_keys=False)


def in_sync() -> bool:
    current = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    return current == yaml.safe_load(derived_config())


def per_label_f1(report: Mapping[str, Any]) -> Dict[str, float]:
    return {
        label: round(float(values["f1-score"]), 4)
        for label, values in sorted(report.items())
        if label not in AVERAGES and isinstance(values, dict) and "f1-score" in values
    }


def macro(values: Mapping[str, float]) -> float | None:
    return round(sum(values.values()) / len(values), 4) if values else None


def _quick_config(out: Path) -> Path:
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if "epochs" in component:
            component["epochs"] = QUICK_EPOCHS
    path = out / "config_nlu_cv.quick.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def shrink_png(source: Path, target: Path, max_bytes: int = 150_000) -> None:
    """Copy a plot, re-encoding it with a 64-colour palette if it is large."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    if target.stat().st_size <= max_bytes:
        return
    try:
        from PIL import Image

        with Image.open(source) as image:
            image = image.convert("RGB")
            if max(image.size) > 1600:
                image.thumbnail((1600, 1600))
            image.quantize(colors=64).save(target, optimize=True)
    except Exception as error:  # noqa: BLE001 - a big plot is better than none
        print(f"  (could not shrink {target.name}: {error})")


def run(quick: bool = False) -> Dict[str, Any]:
    if not in_sync():
        raise RuntimeError(f"{CONFIG.name} no longer matches config.yml: run `python -m bench.nlu_cv --sync`")
    out = OUT / "cv"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    folds = QUICK_FOLDS if quick else 5
    config = _quick_config(OUT) if quick else CONFIG
    # seeded: Rasa's fold split is otherwise random on every run (bench/seeded_rasa.py)
    cmd = [sys.executable, "-m", "bench.seeded_rasa", str(CV_SEED),
           "test", "nlu", "--cross-validation", "--folds", str(folds), "--config", str(config),
           "--nlu", "data/nlu", "--out", str(out)]
    print(f"  {shown(cmd)}  (log: bench/out/cv.log)", flush=True)
    seconds = run_logged(cmd, OUT / "cv.log", timeout=3 * 3600)

    intents = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    intent_f1 = per_label_f1(intents)
    confused = {
        label: values.get("confused_with", {})
        for label, values in intents.items()
        if label not in AVERAGES and isinstance(values, dict) and values.get("confused_with")
    }
    entity_file = out / f"{ENTITY_EXTRACTOR}_report.json"
    entity_f1: Dict[str, float] = {}
    if entity_file.exists():
        entity_f1 = per_label_f1(json.loads(entity_file.read_text(encoding="utf-8")))
    else:
        print(f"  warning: {entity_file.name} not written (no entities in the test folds?)")

    plots = []
    for source, target in PLOT_FILES.items():
        if (out / source).exists():
            shrink_png(out / source, PLOTS / target)
            plots.append(f"plots/{target}")

    result = {
        "rasa_command": shown(cmd),
        "folds": folds,
        "examples": int(intents.get("macro avg", {}).get("support", 0)),
        "intent_macro_f1": round(float(intents["macro avg"]["f1-score"]), 4),
        "intent_accuracy": round(float(intents.get("accuracy", 0.0)), 4),
        "intent_weighted_f1": round(float(intents.get("weighted avg", {}).get("f1-score", 0.0)), 4),
        "intent_f1": intent_f1,
        "intent_confused_with": confused,
        "entity_macro_f1": macro(entity_f1),
        "entity_f1": entity_f1,
        "seconds": round(seconds, 1),
        "plots": plots,
    }
    print(f"  intent macro-F1 {result['intent_macro_f1']:.3f} (accuracy {result['intent_accuracy']:.3f}), "
          f"entity macro-F1 {result['entity_macro_f1']}, {seconds:.0f}s", flush=True)
    worst = sorted(intent_f1.items(), key=lambda kv: kv[1])[:5]
    print("  lowest intent F1: " + ", ".join(f"{k} {v:.2f}" for k, v in worst), flush=True)
    return result


if __name__ == "__main__":
    import sys

    if sys.argv[1:] != ["--sync"]:
        sys.exit("usage: python -m bench.nlu_cv --sync   (rewrites bench/config_nlu_cv.yml from config.yml)")
    CONFIG.write_text(derived_config(), encoding="utf-8")
    print(f"wrote {CONFIG.relative_to(ROOT)}")
