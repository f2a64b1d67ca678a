"""Targets and ``bench/REPORT.md`` from the results dictionary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping

from bench.stats import share

Results = Mapping[str, Any]


def _get(results: Results, *path: str) -> Any:
    node: Any = results.get("sections", {})
    for key in path:
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def num(value: float | None, unit: str = "", digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}{unit}"


@dataclass(frozen=True)
class Target:
    key: str
    what: str
    target: str
    value: Callable[[Results], Any]
    holds: Callable[[Any], bool]
    shown: Callable[[Any], str]


def _throughput(results: Results) -> Any:
    rate, errors = _get(results, "speed", "concurrent", "throughput_turns_per_s"), _get(
        results, "speed", "concurrent", "errors")
    return None if rate is None else (rate, errors)


def _one_user(results: Results, key: str) -> Any:
    value, errors = _get(results, "speed", "single_user", key), _get(results, "speed", "single_user", "errors")
    return None if value is None else (value, errors or 0)


def _ms_and_errors(v: Any) -> str:
    return num(v[0], " ms") + (f", {v[1]} turns unanswered" if v[1] else "")


def _over_nlu(results: Results) -> Any:
    turn, nlu = _get(results, "speed", "single_user", "p50_ms"), _get(results, "speed", "nlu_parse_only", "p50_ms")
    return None if not turn or not nlu else round(turn / nlu, 2)


def _scale(r: Results) -> Any:
    part = _get(r, "scale")
    if not isinstance(part, Mapping) or "throughput_ratio" not in part:
        return None
    runs = (part["one_server"], part["two_servers"])
    return part["throughput_ratio"], sum(x["errors"] for x in runs), sum(x["lost_turns"] for x in runs)


def _runs_line(runs: Mapping[str, Any]) -> str:
    line = (f"Messages parsed in one NLU graph run: {runs['one_run']}/{runs['messages']} = "
            f"{pct(runs['share_one_run'])}; mean runs per message {runs['mean']}")
    if runs.get("mean_texts") is not None:  # a story's question is read in the message's run, as a second text
        line += f"; texts read per message {runs['mean_texts']} (one text for {runs['one_text']})"
    return line + "."


def _one_run(results: Results) -> Any:
    """The share of both sets' messages parsed in one NLU graph run, with each set's share.

    A story's question is read in the message's own run (a second text of the batch); a follow-up
    read after its subject takes a second run.
    """
    parts = [_get(results, name, "nlu_runs") for name in ("answers", "real")]
    if not all(isinstance(p, Mapping) and p.get("messages") for p in parts):
        return None
    one, total = sum(p["one_run"] for p in parts), sum(p["messages"] for p in parts)
    return share(one, total), f"dev {pct(parts[0]['share_one_run'])}", pct(parts[1]["share_one_run"])


TARGETS: List[Target] = [
    # intent macro-F1 is reported (nlu section), not a target (issue 16)
    Target("entity_f1", "Entity F1, macro over types (5-fold CV)", ">= 0.95",
           lambda r: _get(r, "nlu", "entity_macro_f1"), lambda v: v >= 0.95, lambda v: num(v, digits=3)),
    Target("real_answers", "Real-question dev set answered with the right facts", ">= 95%",
           lambda r: _get(r, "real", "overall", "score"), lambda v: v >= 0.95, pct),
    Target("dev_answers", "Dev answers passing (questions + turns)", ">= 96%",
           lambda r: _get(r, "answers", "overall", "score"), lambda v: v >= 0.96, pct),
    Target("oos_recall", "Out-of-scope recall", ">= 95%",
           lambda r: _get(r, "oos", "recall"), lambda v: v >= 0.95, pct),
    Target("in_scope_fallback", "In-scope questions declined / fallback", "<= 2%",
           lambda r: _get(r, "answers", "in_scope_declined", "share"), lambda v: v <= 0.02, pct),
    Target("one_nlu_run", "Messages parsed in one NLU run (dev set + real dev set)", ">= 90%",
           _one_run, lambda v: v[0] >= 0.9, lambda v: f"{pct(v[0])} ({v[1]}; real {v[2]})"),
    Target("p50_one_user", "Latency p50, 1 user, every turn answered", "<= 50 ms",
           lambda r: _one_user(r, "p50_ms"), lambda v: v[0] <= 50 and v[1] == 0, _ms_and_errors),
    Target("p95_one_user", "Latency p95, 1 user, every turn answered", "<= 100 ms",
           lambda r: _one_user(r, "p95_ms"), lambda v: v[0] <= 100 and v[1] == 0, _ms_and_errors),
    Target("p50_over_nlu", "1-user p50 / NLU alone (`/model/parse`) p50", "<= 1.6x",
           _over_nlu, lambda v: v <= 1.6, lambda v: f"{v:.2f}x"),
    Target("throughput_20_users", "Throughput, 20 concurrent users", ">= 40 turns/s, 0 errors",
           _throughput, lambda v: v[0] >= 40 and v[1] == 0, lambda v: f"{v[0]:.1f} turns/s, {v[1]} errors"),
    Target("cluster_scale", "Two Rasa servers behind HAProxy / one, 40 users", ">= 1.5x, 0 errors, 0 lost",
           _scale, lambda v: v[0] >= 1.5 and v[1] == 0 and v[2] == 0,
           lambda v: f"{v[0]:.2f}x, {v[1]} errors, {v[2]} lost"),
    Target("long_conversation", "Turn latency after 500 turns in one conversation / first turns", "<= 1.2x",
           lambda r: _get(r, "long", "one_conversation", "ratio_last_to_first"), lambda v: v <= 1.2,
           lambda v: f"{v:.2f}x"),
    Target("report_100k", "`python -m bot report` over 100,000 conversations", "< 60 s, < 1 GB",
           lambda r: _report_scale(r), lambda v: v[0] < 60 and v[1] < 1024, lambda v: f"{v[0]:.1f} s, {v[1]} MB"),
    Target("startup", "Rasa server start-up to ready", "<= 30 s",
           lambda r: _get(r, "speed", "startup_seconds"), lambda v: v <= 30, lambda v: num(v, " s")),
    Target("training", "Full training (`rasa train --force`)", "<= 5 min",
           lambda r: _get(r, "training", "seconds"), lambda v: v <= 300,
           lambda v: f"{v:.0f} s ({v / 60:.1f} min)"),
]


def _report_scale(results: Results) -> Any:
    scale = _get(results, "conversations", "scale")
    if not scale or scale.get("conversations") != 100_000:
        return None
    return scale["seconds"], scale["peak_mb"]


def evaluate(results: Results) -> Dict[str, Dict[str, Any]]:
    table = {}
    for t in TARGETS:
        value = t.value(results)
        table[t.key] = {"what": t.what, "target": t.target,
                        "measured": None if value is None else t.shown(value),
                        "holds": None if value is None else bool(t.holds(value))}
    return table


def spread(failures: List[Mapping[str, Any]], count: int) -> List[Mapping[str, Any]]:
    """Up to ``count`` failures taken in turn from each topic, most failing topic first."""
    topics: Dict[str, List[Mapping[str, Any]]] = {}
    for f in failures:
        topics.setdefault(f.get("topic") or "?", []).append(f)
    queues = sorted(topics.values(), key=len, reverse=True)
    picked: List[Mapping[str, Any]] = []
    while len(picked) < count and any(queues):
        for queue in queues:
            if queue and len(picked) < count:
                picked.append(queue.pop(0))
    return picked


def _breakdown(sp: Mapping[str, Any]) -> str:
    """Where a turn's time goes: NLU alone, a turn without the action server, a full answer."""
    nlu, greet = sp.get("nlu_parse_only"), sp.get("greeting_turn")
    if not nlu or not greet:
        return ""
    return (f"Where the time goes (p50 / p95): NLU alone (`POST /model/parse`) {nlu['p50_ms']} / {nlu['p95_ms']} ms; "
            f"a greeting turn (NLU, policy, tracker store, no action server) {greet['p50_ms']} / {greet['p95_ms']} ms; "
            f"a dev-question turn (mostly answered by `action_answer` on the action server) "
            f"{sp['single_user']['p50_ms']} / {sp['single_user']['p95_ms']} ms." + _cpu(sp))


def _cpu(sp: Mapping[str, Any]) -> str:
    """CPU per turn under load: on 2 cores it sets the ceiling on throughput."""
    cpu = (sp.get("concurrent") or {}).get("cpu_ms_per_turn")
    if not cpu:
        return ""
    per_turn = cpu["rasa_server"] + cpu["action_server"]
    ceiling = 2000 / per_turn if per_turn else 0
    return (f" Under the {sp['concurrent']['users']}-user load each turn cost {cpu['rasa_server']} ms of CPU in the "
            f"Rasa server and {cpu['action_server']} ms in the action server: with both cores doing nothing else, "
            f"about {ceiling:.0f} turns/s at most (the load generator runs on the same cores). The Rasa server is "
            f"one Python process; only the sentence encoder (ONNX Runtime, in a thread) runs outside the GIL.")


def _runs(many: Mapping[str, Any]) -> str:
    """The 20-user load runs more than once; the table shows the median run."""
    runs = many.get("runs") or []
    if len(runs) < 2:
        return ""
    rates = ", ".join(f"{r['throughput_turns_per_s']}" for r in runs)
    cpus = ", ".join(f"{r['cpu_ms_per_turn']['rasa_server']}" for r in runs)
    return (f"The {many['users']}-user load ran {len(runs)} times in a row: {rates} turns/s (CPU per turn in the "
            f"Rasa server: {cpus} ms); the table shows the median run, and errors count over all runs.")


def _load(section: Mapping[str, Any]) -> str:
    """Timings depend on what else the machine was doing; say how busy it was."""
    start, end = section.get("load_average_at_start"), section.get("load_average_at_end")
    if not start:
        return ""
    text = f"Load average (1/5/15 min) {'/'.join(f'{x:g}' for x in start)} at the start"
    if end:
        text += f", {'/'.join(f'{x:g}' for x in end)} at the end"
    return text + " of the section."


def _status(holds: bool | None) -> str:
    return "not run" if holds is None else ("met" if holds else "**missed**")


def render(results: Results) -> str:
    targets = results.get("targets") or evaluate(results)
    s = results.get("sections", {})
    machine = results.get("machine", {})
    lines = [
        "# Benchmark report",
        "",
        f"Generated by `python -m bench` (`make bench`) on {results.get('generated', '?')}, "
        f"commit `{str(results.get('git', {}).get('commit', '?'))[:10]}`"
        f"{' (with uncommitted changes)' if results.get('git', {}).get('dirty') else ''}, "
        f"machine: {machine.get('nproc')} CPUs ({machine.get('cpu', '?')}), {machine.get('memory_gb')} GB RAM, "
        f"Python {machine.get('python')}, Rasa {machine.get('rasa')}. All figures with their commands are in "
        "[results.json](results.json); sections run at different times carry their own date and commit there.",
        "",
    ]
    quick = sorted(name for name, sec in s.items() if isinstance(sec, Mapping) and sec.get("quick"))
    if quick:
        lines += [f"> Sections run with `--quick` (smaller samples, not comparable): {', '.join(quick)}.", ""]
    errors = {name: sec["error"] for name, sec in s.items() if isinstance(sec, Mapping) and sec.get("error")}
    for name, error in errors.items():
        lines += [f"> Section `{name}` failed: {error.splitlines()[0] if error else ''}", ""]

    baseline = _get(results, "baseline", "overall", "score")
    lines += ["## Targets", "", "| Measure | Target | Measured | Status |", "|---|---|---|---|"]
    for key, t in targets.items():
        measured = t["measured"] or "n/a"
        if key == "dev_answers" and baseline is not None:
            measured += f" (search-box baseline {pct(baseline)})"
        lines.append(f"| {t['what']} | {t['target']} | {measured} | {_status(t['holds'])} |")
    lines.append("")

    for name, part in SECTION_RENDERERS.items():
        chunk: List[str] = []
        try:
            part(s, chunk)
            lines += chunk
        except (KeyError, TypeError) as error:
            lines += [f"> Section `{name}` is incomplete in results.json ({type(error).__name__}: {error}).", ""]

    lines += [
        "## Reproduce", "",
        "```",
        "make bench                                  # everything (needs models/current.tar.gz: make train)",
        "python -m bench --only nlu,baseline         # no trained model needed",
        "python -m bench --only answers,oos,speed    # starts the bot on free ports",
        "python -m bench --only training            # slow: full rasa train --force",
        "python -m bench --quick                     # small samples, for development",
        "```",
        "",
        "Run from the repository root with the project's virtualenv (`.venv/bin/python`).",
        "",
    ]
    return "\n".join(lines)


def _render_nlu(s: Mapping[str, Any], lines: List[str]) -> None:
    nlu = s.get("nlu")
    if isinstance(nlu, Mapping) and "intent_f1" in nlu:
        lines += [
            "## NLU (cross-validation)", "",
            f"`{nlu['rasa_command']}`: {nlu['folds']} folds over {nlu['examples']} examples, pipeline of "
            "config.yml without the fallbacks, the rule overrides and the fact ranker (FallbackClassifier, "
            "VocabularyGate, ScopeRules, FactRanker: none is learned from the NLU data) "
            f"([config_nlu_cv.yml](config_nlu_cv.yml)). Intent macro-F1 **{nlu['intent_macro_f1']:.3f}**, "
            f"accuracy {nlu['intent_accuracy']:.3f}, weighted F1 {nlu['intent_weighted_f1']:.3f}; entity macro-F1 "
            f"**{num(nlu['entity_macro_f1'], digits=3)}** (KnowledgeEntityExtractor).", "",
            "Per-intent F1, lowest first, with the intents each was mistaken for:", "",
            "| Intent | F1 | Confused with |", "|---|---|---|",
        ]
        confused = nlu.get("intent_confused_with", {})
        for intent, f1 in sorted(nlu["intent_f1"].items(), key=lambda kv: (kv[1], kv[0])):
            mixed = ", ".join(f"{k} ({v})" for k, v in list(confused.get(intent, {}).items())[:3])
            lines.append(f"| {intent} | {f1:.3f} | {mixed} |")
        lines += ["", "| Entity type | F1 |", "|---|---|"]
        lines += [f"| {k} | {v:.3f} |" for k, v in sorted(nlu["entity_f1"].items(), key=lambda kv: kv[1])]
        lines.append("")
        lines += [f"![{p}]({p})" for p in nlu.get("plots", [])]
        lines.append("")


def _render_answers(s: Mapping[str, Any], lines: List[str]) -> None:
    ans = s.get("answers")
    if isinstance(ans, Mapping) and "overall" in ans:
        base = s.get("baseline") if isinstance(s.get("baseline"), Mapping) else {}
        lines += [
            "## Answers on unseen dev questions", "",
            "Each question is a fresh conversation over the REST webhook; a conversation's turns share a sender. "
            "A reply passes when it contains every expected item (case-insensitive, dashes and spaces normalised). "
            "The baseline is a TF-IDF search box over the four seed articles returning its top passage; it has no "
            "memory, so it gets each conversation turn as a standalone question.", "",
            "| | Bot | Search-box baseline |", "|---|---|---|",
        ]
        for key, label in (("questions", "Single questions"), ("conversation_turns", "Conversation turns"),
                           ("overall", "Overall")):
            b = base.get(key) if base else None
            bot_part = f"{ans[key]['passed']}/{ans[key]['total']} = {pct(ans[key]['score'])}"
            base_part = f"{b['passed']}/{b['total']} = {pct(b['score'])}" if b else "n/a"
            lines.append(f"| {label} | {bot_part} | {base_part} |")
        d = ans["in_scope_declined"]
        runs = ans.get("nlu_runs")
        if isinstance(runs, Mapping) and runs.get("messages"):
            lines += ["", _runs_line(runs)]
        lines += ["", f"In-scope single questions answered with a decline/fallback: {d['declined']}/{d['total']} "
                  f"= {pct(d['share'])}" + (" (" + ", ".join(f"{k} {v}" for k, v in d["by_response"].items()) + ")"
                                          if d["by_response"] else "") + ".", ""]
        if ans.get("failures"):
            lines += ["Failures by dev-set topic: " + ", ".join(
                f"{t} {v['failed']}/{v['total']}" for t, v in ans["failures_by_topic"].items()) + ".", "",
                "By cause: " + ", ".join(f"{k} {v}" for k, v in ans["failures_by_cause"].items()) + ".", "",
                "By intent the bot acted on: " + ", ".join(
                    f"{k} {v}" for k, v in ans["failures_by_intent"].items()) + ".", "",
                "Every failure with the expected items, the full reply and the NLU reading is written to "
                "`bench/out/failures.md` (not committed; rerun `python -m bench --only answers`). "
                "A sample across topics:", "",
                "| Id | Question | Missing | Intent | Reply starts |", "|---|---|---|---|---|"]
            for f in spread(ans["failures"], 25):
                reply = " ".join(f["reply"].split())[:90].replace("|", "/")
                wanted = "; ".join(m.replace(" | ", " or ") for m in f["missing"])
                lines.append(f"| {f['id']} | {f['question'].replace('|', '/')} | {wanted} | "
                             f"{f['intent'] or '?'} | {reply} |")
            lines.append("")


def _render_oos(s: Mapping[str, Any], lines: List[str]) -> None:
    oos = s.get("oos")
    if isinstance(oos, Mapping) and "recall" in oos:
        lines += [
            "## Out of scope", "",
            "Each message is a fresh conversation; it counts as declined when the reply opens like one of "
            "domain.yml's utter_out_of_scope, utter_out_of_scope_medical, utter_code_lookup, utter_emergency, "
            "utter_fallback or utter_help (emergencies need utter_emergency).", "",
            f"Recall {oos['correct']}/{oos['total']} = **{pct(oos['recall'])}**.", "",
            "| Kind | Declined | Recall |", "|---|---|---|",
        ]
        for kind, v in sorted(oos["by_kind"].items()):
            lines.append(f"| {kind} | {v['correct']}/{v['total']} | {pct(v['recall'])} |")
        if oos.get("misses"):
            lines += ["", "Missed:", "", "| Id | Kind | Message | Got | Intent |", "|---|---|---|---|---|"]
            for m in oos["misses"]:
                got = m["declined_as"] or " ".join(m["reply"].split())[:70].replace("|", "/")
                lines.append(f"| {m['id']} | {m['kind']} | {m['text'].replace('|', '/')} | {got} | {m['intent']} |")
        lines.append("")


def _render_speed(s: Mapping[str, Any], lines: List[str]) -> None:
    sp = s.get("speed")
    if isinstance(sp, Mapping) and "single_user" in sp:
        one, many, mem = sp["single_user"], sp["concurrent"], sp["memory_after_load"]
        lines += [
            "## Speed", "",
            "Per-turn latency of a REST webhook POST as the client sees it, on localhost. One user: "
            f"{one['count']} sequential turns cycling through the dev questions, a new conversation every "
            f"{one['conversation_turns']} turns, after {one['warmup_turns']} warm-up turns. Concurrent: "
            f"{many['users']} users from a separate process (`python -m bench.load`), each sending up to "
            f"{many['turns_per_user']} turns back to back.", "",
            "| | Turns | p50 | p95 | p99 | max | Throughput | Errors |", "|---|---|---|---|---|---|---|---|",
            f"| 1 user | {one['count']} | {one['p50_ms']} ms | {one['p95_ms']} ms | {one['p99_ms']} ms | "
            f"{one['max_ms']} ms | | {one['errors']} |",
            f"| {many['users']} users | {many['ok']} | {many.get('p50_ms')} ms | {many.get('p95_ms')} ms | "
            f"{many.get('p99_ms')} ms | {many.get('max_ms')} ms | {many['throughput_turns_per_s']} turns/s | "
            f"{many['errors']} |",
            "",
            _runs(many),
            "",
            _breakdown(sp),
            "",
            f"Start-up (spawn to REST webhook answering, action server already up): **{sp['startup_seconds']} s**; "
            f"first reply after that {sp['first_reply_ms']} ms. Resident memory after the load (VmRSS over the "
            f"process tree): Rasa server {mem['rasa_server_mb']} MB, action server {mem['action_server_mb']} MB. "
            + _load(sp),
            "",
        ]
        lines += [f"![{p}]({p})" for p in sp.get("plots", [])]
        lines.append("")


def _render_training(s: Mapping[str, Any], lines: List[str]) -> None:
    tr = s.get("training")
    if isinstance(tr, Mapping) and "seconds" in tr:
        lines += ["## Training", "", f"`{tr['rasa_command']}`: {tr['seconds']:.0f} s wall clock"
                  f"{', model ' + str(tr['model_mb']) + ' MB' if tr.get('model_mb') else ''}. {_load(tr)}", ""]


def _render_real(s: Mapping[str, Any], lines: List[str]) -> None:
    for name, title in (("real", "development set, `bench/real_questions.yml`"),
                        ("real_test", "held-out set, `bench/real_test.yml`")):
        sec = s.get(name)
        if not isinstance(sec, Mapping) or "overall" not in sec:
            continue
        o, q, t = sec["overall"], sec["questions"], sec["conversation_turns"]
        lines += [f"## Questions real people asked ({title})", "",
                  f"Answered with the right facts: {o['passed']}/{o['total']} = {pct(o['score'])} "
                  f"(questions {q['passed']}/{q['total']}, conversation turns {t['passed']}/{t['total']}).", "",
                  "By kind: " + ", ".join(f"{k} {v['passed']}/{v['total']}" for k, v in sec["by_kind"].items()) + ".",
                  ""]
        declines = sec.get("declines")
        if isinstance(declines, Mapping) and declines.get("total"):
            lines += [f"The set's own declines (other careers, personal bills, code look-ups): "
                      f"{declines['correct']}/{declines['total']} = {pct(declines['recall'])}.", ""]
        runs = sec.get("nlu_runs")
        if isinstance(runs, Mapping) and runs.get("messages"):
            lines += [_runs_line(runs), ""]
        lines += [f"Failures with replies: `bench/out/{name}_failures.md`.", ""]


def _render_sources(s: Mapping[str, Any], lines: List[str]) -> None:
    sec = s.get("sources")
    if not isinstance(sec, Mapping) or "overall" not in sec:
        return
    lines += ["## Questions written from the sources (`bench/from_seeds*.yml`, `bench/from_supplement2*.yml`)", "",
              "Check sets a helper wrote from the seed articles and from knowledge-supplement-2.yml alone, in the "
              "ways people write, and the follow-up conversations changes for follow-ups are chosen on "
              "(`bench/followups_dev.yml`); not real people's questions. Reported, no target.", "",
              "| Set | Questions | Conversation turns | By style |", "|---|---|---|---|"]
    for name in ("seeds", "supplement2", "seeds_b", "supplement2_b", "followups_dev"):
        part = sec.get(name)
        if not isinstance(part, Mapping):
            continue
        q, t = part["questions"], part["conversation_turns"]
        styles = ", ".join(f"{k} {v['passed']}/{v['total']}" for k, v in part.get("by_style", {}).items())
        lines.append(f"| {name} | {q['passed']}/{q['total']} | {t['passed']}/{t['total']} | {styles} |")
    lines += ["", "Failures with replies: `bench/out/sources_failures.md`.", ""]


def _render_plan(s: Mapping[str, Any], lines: List[str]) -> None:
    plan = s.get("plan")
    if not (isinstance(plan, Mapping) and "by_set" in plan):
        return
    lines += [
        "## The plan's questions answered in free text", "",
        "Each reply of [plan_answers.yml](plan_answers.yml), written by people who never saw the bot's data, is "
        "sent as the answer to its question in a fresh plan conversation over REST; the bot's reading is taken "
        "from what the user sees (the plan's \"from your answers\" line, or the question asked again). Sets "
        "dev1-dev3 chose the reader's rules and phrases; `check` was written before the last of them.", "",
        "| Set | Read as the writer meant |", "|---|---|",
    ]
    for name, tally in sorted(plan["by_set"].items()):
        lines.append(f"| {name} | {tally['passed']}/{tally['total']} |")
    lines += ["", "| Set | Question | Reply | Expected | Bot |", "|---|---|---|---|---|"]
    for miss in plan.get("misses", []):
        reply = str(miss["reply"]).replace("|", "/")
        lines.append(f"| {miss['set']} | {miss['question']} | {reply} | {miss['expected']} | {miss['got']} |")
    lines.append("")


def _render_conversations(s: Mapping[str, Any], lines: List[str]) -> None:
    part = s.get("conversations")
    if not (isinstance(part, Mapping) and "scale" in part):
        return
    scale = part["scale"]
    lines += [
        "## The conversations report (`python -m bot report`)", "",
        f"{scale['conversations']:,} generated conversations ({scale['events']:,} events, a {scale['db_mb']} MB "
        f"SQLite tracker store, real questions as texts): the report took {scale['seconds']} s with a peak of "
        f"{scale['peak_mb']} MB, and found {scale['unanswered']:,} unanswered questions in {scale['groups']:,} "
        "groups.", "",
        "Grouping similar questions: real questions grouped at each similarity; precision is the share of pairs "
        "in one group with the same expected topic, grouped the share of questions in a group of two or more. "
        f"The report uses {part['similarity']} (chosen on dev, checked on held out).", "",
        "| Set | Similarity | Precision | Grouped |", "|---|---|---|---|",
    ]
    for name, rows in part["grouping"].items():
        for row in rows:
            lines.append(f"| {name} | {row['similarity']} | {row['precision']} | {row['grouped_share']} |")
    lines.append("")


def _render_scale(s: Mapping[str, Any], lines: List[str]) -> None:
    part = s.get("scale")
    if not (isinstance(part, Mapping) and "two_servers" in part):
        return
    lines += [
        "## Past one machine (`python -m bench --only scale`)", "",
        f"{part['users']} users for {part['seconds']:.0f} s through HAProxy, on PostgreSQL and Redis, against one "
        f"Rasa server (and one action server), then two (and two), started as `make cluster` starts them, on "
        f"this {part['machine_cores']}-core machine with the load generator, PostgreSQL and Redis on the same cores. "
        f"Each configuration ran {part.get('runs_each', 1)} times, alternating; the table shows the run with the "
        f"median throughput, errors and lost turns count over all runs. Throughput ratio two / one: "
        f"{part['throughput_ratio']}x (every run, one / two: "
        + "; ".join(f"{a['throughput_turns_per_s']} / {b['throughput_turns_per_s']}"
                    for a, b in zip(part["all_runs"]["1"], part["all_runs"]["2"], strict=False)) + " turns/s).", "",
        "| | turns/s | p50 ms | p95 ms | errors | acknowledged | stored | lost | CPU ms/turn: Rasa, actions, "
        "HAProxy, machine | PostgreSQL transactions, rows inserted / turn | Redis commands / turn |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name in ("one_server", "two_servers"):
        r = part[name]
        cpu, pg = r["cpu_ms_per_turn"], r["postgresql_per_turn"]
        lines.append(
            f"| {r['rasa_servers']} Rasa server(s) | {r['throughput_turns_per_s']} | {r['p50_ms']} | {r['p95_ms']} | "
            f"{r['errors']} {r['error_kinds'] or ''} | {r['acknowledged_turns']} | {r['stored_user_messages']} | "
            f"{r['lost_turns']} | {cpu['rasa_servers']}, {cpu['action_servers']}, {cpu['haproxy']}, "
            f"{cpu['whole_machine']} | {pg['transactions']}, {pg['rows_inserted']} | {r['redis_commands_per_turn']} |")
    lines += ["", f"Capacity from the two-server run's cost per turn ({part['capacity_assumption']}):", "",
              "| people chatting | turns/s | Rasa servers | action servers | cores | PostgreSQL transactions/s "
              "| rows inserted/s | Redis commands/s |", "|---|---|---|---|---|---|---|---|"]
    for row in part["capacity"]:
        lines.append(f"| {row['users']:,} | {row['turns_per_s']} | {row['rasa_servers']} | {row['action_servers']} | "
                     f"{row['cores']} | {row['postgresql_transactions_per_s']:,} | "
                     f"{row['postgresql_rows_inserted_per_s']:,} | {row['redis_commands_per_s']:,} |")
    lines.append("")


SECTION_RENDERERS: Dict[str, Callable[[Mapping[str, Any], List[str]], None]] = {
    "nlu": _render_nlu,
    "answers": _render_answers,
    "real": _render_real,
    "sources": _render_sources,
    "oos": _render_oos,
    "plan": _render_plan,
    "conversations": _render_conversations,
    "scale": _render_scale,
    "speed": _render_speed,
    "training": _render_training,
}
