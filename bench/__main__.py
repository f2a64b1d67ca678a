"""``python -m bench`` (``make bench``): run the benchmark sections, write results.json and REPORT.md."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Callable, Dict, List

from bench import MODEL, OUT, REAL_DEV, REAL_TEST, REPORT, RESULTS, ROOT

SECTIONS = ("baseline", "nlu", "training", "conversations", "answers", "real", "real_test", "sources", "oos", "plan",
            "speed", "long", "scale")
BOT_SECTIONS = ("answers", "real", "real_test", "sources", "oos", "plan", "speed", "long")


def model_facts(model: Path) -> Dict[str, Any]:
    digest = hashlib.sha256()
    with open(model, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    stat = model.stat()
    return {"path": os.path.relpath(model, ROOT), "sha256": digest.hexdigest()[:16],
            "mb": round(stat.st_size / 1e6, 1),
            "modified": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(stat.st_mtime))}


def load_results() -> Dict[str, Any]:
    if RESULTS.exists():
        try:
            return json.loads(RESULTS.read_text(encoding="utf-8"))
        except ValueError:
            print(f"warning: {RESULTS} is not valid JSON; starting afresh", file=sys.stderr)
    return {}


def save(results: Dict[str, Any]) -> None:
    from bench import report

    results["targets"] = report.evaluate(results)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    REPORT.write_text(report.render(results), encoding="utf-8")


def strip_raw(section: Dict[str, Any], raw: Dict[str, Any], prefix: str = "") -> None:
    """Moves raw latency lists out of the committed results (into bench/out/latencies.json)."""
    for key, value in list(section.items()):
        if key == "latencies_s":
            raw[prefix.rstrip(".") or "latencies"] = section.pop(key)
        elif isinstance(value, dict):
            strip_raw(value, raw, f"{prefix}{key}.")


def parse_args(argv: List[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections out of {','.join(SECTIONS)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="small samples for development (marked in results)")
    parser.add_argument("--model", type=Path, default=MODEL, help="trained model for the REST sections")
    parser.add_argument("--report-only", action="store_true", help="re-render REPORT.md from results.json, run nothing")
    args = parser.parse_args(argv)
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(SECTIONS))
    if unknown or not chosen:
        parser.error(f"unknown section(s) {unknown}; choose from {', '.join(SECTIONS)}")
    args.sections = [s for s in SECTIONS if s in chosen]
    return args


def main(argv: List[str] | None = None) -> int:
    from bench import runner
    from bench.dataset import load_dev, load_out_of_scope

    args = parse_args(argv)
    if args.report_only:
        from bench import report

        REPORT.write_text(report.render(load_results()), encoding="utf-8")
        print(f"wrote {os.path.relpath(REPORT, ROOT)}")
        return 0
    model = args.model.resolve()
    if any(s in BOT_SECTIONS for s in args.sections) and not model.exists():
        print(f"no trained model at {model}: run `make train` first "
              f"(or choose sections without the bot: --only nlu,baseline,training)", file=sys.stderr)
        return 2
    os.chdir(ROOT)
    OUT.mkdir(parents=True, exist_ok=True)
    questions, conversations = load_dev()
    oos_items = load_out_of_scope()

    results = load_results()
    results.update(generated=runner.now(), git=runner.git_facts(), machine=runner.machine())
    results.setdefault("sections", {})
    if any(s in BOT_SECTIONS for s in args.sections):
        results["model"] = model_facts(model)
    raw: Dict[str, Any] = {}
    failed: List[str] = []
    done: List[str] = []

    def record(name: str, produce: Callable[[], Dict[str, Any]]) -> None:
        print(f"\n== {name} ==", flush=True)
        started = time.monotonic()
        command = f"python -m bench --only {name}" + (" --quick" if args.quick else "")
        meta = {"command": command, "date": runner.now(), "git": runner.git_facts(), "quick": args.quick,
                "load_average_at_start": runner.load_average()}
        try:
            figures = produce()
        except Exception as error:  # noqa: BLE001 - report it, run the other sections
            traceback.print_exc()
            failed.append(name)
            figures = {"error": f"{type(error).__name__}: {error}"}
        strip_raw(figures, raw, f"{name}.")
        figures["section_seconds"] = round(time.monotonic() - started, 1)
        figures["load_average_at_end"] = runner.load_average()
        results["sections"][name] = {**meta, **figures}
        done.append(name)
        save(results)

    if "baseline" in args.sections:
        from bench import baseline

        record("baseline", lambda: baseline.run(questions, conversations))
    if "nlu" in args.sections:
        from bench import nlu_cv

        record("nlu", lambda: nlu_cv.run(quick=args.quick))
    if "training" in args.sections:
        from bench import training

        record("training", training.run)
    if "conversations" in args.sections:
        from bench import conversations as conversation_report

        record("conversations", lambda: conversation_report.run(quick=args.quick))

    bot_sections = [s for s in args.sections if s in BOT_SECTIONS]
    if bot_sections:
        from bench import answers, long, oos, plan, real, sources, speed
        from bench.botrun import running_bot
        from bench.dataset import load_real
        from bench.declines import DeclineDetector

        detector = DeclineDetector.from_domain()
        print(f"\n== starting the bot ({os.path.relpath(model, ROOT)}) ==", flush=True)
        try:
            with running_bot(model) as bot:
                print(f"  ready in {bot.startup_seconds:.1f}s", flush=True)
                qs, convs, items = questions, conversations, oos_items
                if args.quick:
                    qs, convs, items = questions[::10], conversations[:3], oos_items[::4]
                if "answers" in bot_sections:
                    record("answers", lambda: answers.run(bot, qs, convs, detector))
                if "real" in bot_sections:
                    record("real", lambda: real.run(bot, load_real(REAL_DEV), detector, "real"))
                if "real_test" in bot_sections:
                    record("real_test", lambda: real.run(bot, load_real(REAL_TEST), detector, "real_test"))
                if "sources" in bot_sections:
                    record("sources", lambda: sources.run(bot, detector))
                if "oos" in bot_sections:
                    record("oos", lambda: oos.run(bot, items, detector))
                if "plan" in bot_sections:
                    record("plan", lambda: plan.run(bot, plan.load()[::4] if args.quick else None))
                if "speed" in bot_sections:
                    record("speed", lambda: speed.run(bot, [q.text for q in questions], quick=args.quick))
                if "long" in bot_sections:
                    record("long", lambda: long.run(bot, [q.text for q in questions], quick=args.quick))
        except Exception as error:  # noqa: BLE001
            traceback.print_exc()
            failed.append("bot")
            for name in bot_sections:
                if name not in done:
                    results["sections"][name] = {"command": f"python -m bench --only {name}", "date": runner.now(),
                                                 "error": f"bot failed: {type(error).__name__}: {error}"}
            save(results)

    if "scale" in args.sections:
        from bench import scale

        if not model.exists():
            print(f"no trained model at {model}: run `make train` first", file=sys.stderr)
            return 2
        record("scale", lambda: scale.run(model, [q.text for q in questions], quick=args.quick))

    if raw:
        (OUT / "latencies.json").write_text(json.dumps(raw), encoding="utf-8")
    save(results)
    print(f"\nwrote {os.path.relpath(RESULTS, ROOT)} and {os.path.relpath(REPORT, ROOT)}")
    for t in results["targets"].values():
        status = "n/a" if t["holds"] is None else ("met" if t["holds"] else "MISSED")
        print(f"  {t['what']:<45} {t['target']:<24} {t['measured'] or 'n/a':<28} {status}")
    if failed:
        print(f"sections with errors: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
