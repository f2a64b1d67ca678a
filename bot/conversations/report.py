"""``python -m bot report``: what people asked, what the bot did with it, and what it could not answer.

Reads every stored message (:mod:`bot.conversations.turns`) once and writes

* ``report.html``: conversations and messages per day, the share of questions
  answered / declined / fallen back / complained about, the top topics, and
  thumbs up and down by topic, as plots (matplotlib) and tables, in one file
  with nothing to download;
* ``unanswered.csv``: every question that fell back, was declined while naming
  the field, was complained about or got a thumbs down, grouped by similar
  wording (:mod:`bot.conversations.grouping`), largest group first;
* ``summary.json``: the report's figures, for scripts.

Text in all three is masked (:mod:`bot.privacy`). "Questions" are the user
messages other than feedback clicks.
"""

from __future__ import annotations

import base64
import csv
import functools
import html
import io
import json
import time
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, Iterable, List, Tuple

from bot import feedback
from bot.conversations import grouping
from bot.conversations.turns import OUTCOMES, Message
from bot.privacy import mask

#: Why a question is in ``unanswered.csv``.
REASONS = ("fallback", "declined", "complaint", "thumbs down")
#: Conversation ids listed per group in the CSV (the count says how many there are).
MAX_IDS = 20
CSV_COLUMNS = ("group", "count", "example", "reasons", "first_seen", "last_seen", "bot_reading",
               "wordings", "comments", "conversations")


@functools.lru_cache(maxsize=4096)
def _day_name(number: int) -> str:
    return datetime.fromtimestamp(number * 86400, timezone.utc).strftime("%Y-%m-%d")


def day(timestamp: float) -> str:
    """The UTC day of ``timestamp`` (``YYYY-MM-DD``)."""
    return _day_name(int(timestamp // 86400))


def when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d %H:%M")


def reasons_of(message: Message) -> List[str]:
    """Why ``message`` counts as unanswered (none: it does not)."""
    reasons = []
    if message.outcome == "fallback":
        reasons.append("fallback")
    if message.outcome == "declined" and message.names_field:
        reasons.append("declined")
    if message.complained:
        reasons.append("complaint")
    if message.feedback == feedback.VALUES[feedback.NOT_HELPFUL]:
        reasons.append("thumbs down")
    return reasons


@dataclass
class Unanswered:
    """One question the bot did not answer well, masked."""

    conversation: str
    time: float
    text: str
    reading: str
    confidence: float
    reasons: List[str]
    comment: str | None


@dataclass
class Summary:
    first: str | None = None
    last: str | None = None
    conversations: int = 0
    questions: int = 0
    feedback_clicks: int = 0
    outcomes: Dict[str, int] = field(default_factory=lambda: {o: 0 for o in OUTCOMES})
    per_day: Dict[str, Dict[str, int]] = field(default_factory=dict)
    topics: Dict[str, int] = field(default_factory=dict)
    #: topic -> {"helpful": n, "not_helpful": n}
    feedback_by_topic: Dict[str, Dict[str, int]] = field(default_factory=dict)
    unanswered: int = 0

    def share(self, outcome: str) -> float:
        return self.outcomes.get(outcome, 0) / self.questions if self.questions else 0.0

    def to_json(self) -> Dict:
        return {
            "period": [self.first, self.last], "conversations": self.conversations, "questions": self.questions,
            "feedback_clicks": self.feedback_clicks, "outcomes": self.outcomes,
            "shares": {o: round(self.share(o), 4) for o in OUTCOMES}, "per_day": self.per_day,
            "topics": self.topics, "feedback_by_topic": self.feedback_by_topic, "unanswered": self.unanswered,
        }


def summarise(messages: Iterable[Message]) -> Tuple[Summary, List[Unanswered]]:
    """The report's figures and its unanswered questions, from one pass over ``messages``."""
    summary = Summary()
    conversations: set = set()
    day_conversations: Dict[str, set] = defaultdict(set)
    day_messages: Counter = Counter()
    topics: Counter = Counter()
    by_topic: Dict[str, Counter] = defaultdict(Counter)
    unanswered: List[Unanswered] = []
    masked_ids: Dict[str, str] = {}
    first = last = None
    for m in messages:
        d = day(m.time)
        first = m.time if first is None or m.time < first else first
        last = m.time if last is None or m.time > last else last
        conversations.add(m.conversation)
        day_conversations[d].add(m.conversation)
        day_messages[d] += 1
        if m.outcome == "feedback":
            summary.feedback_clicks += 1
            continue
        summary.questions += 1
        summary.outcomes[m.outcome] += 1
        if m.outcome == "answered" and m.topic:
            topics[m.topic] += 1
        if m.feedback:
            by_topic[m.topic or "(none)"][m.feedback] += 1
        reasons = reasons_of(m)
        if reasons:
            if m.conversation not in masked_ids:
                masked_ids[m.conversation] = mask(m.conversation)
            unanswered.append(Unanswered(
                conversation=masked_ids[m.conversation], time=m.time, text=mask(m.text), reading=m.intent,
                confidence=m.confidence, reasons=reasons, comment=mask(m.comment) if m.comment else None,
            ))
    summary.first = day(first) if first is not None else None
    summary.last = day(last) if last is not None else None
    summary.conversations = len(conversations)
    summary.per_day = {d: {"conversations": len(day_conversations[d]), "messages": day_messages[d]}
                       for d in sorted(day_messages)}
    summary.topics = dict(topics.most_common())
    values = tuple(feedback.VALUES.values())
    summary.feedback_by_topic = {t: {v: c[v] for v in values} for t, c in sorted(by_topic.items())}
    summary.unanswered = len(unanswered)
    return summary, unanswered


@dataclass
class Group:
    number: int
    items: List[Unanswered]

    @property
    def example(self) -> str:
        return Counter(i.text for i in self.items).most_common(1)[0][0]

    def row(self) -> Dict[str, str]:
        reasons = Counter(r for i in self.items for r in i.reasons)
        readings = Counter(i.reading for i in self.items)
        reading, _ = readings.most_common(1)[0]
        confidence = sum(i.confidence for i in self.items if i.reading == reading) / readings[reading]
        ids = list(dict.fromkeys(i.conversation for i in self.items))
        return {
            "group": str(self.number), "count": str(len(self.items)), "example": self.example,
            "reasons": "; ".join(f"{r} {reasons[r]}" for r in REASONS if reasons[r]),
            "first_seen": when(min(i.time for i in self.items)), "last_seen": when(max(i.time for i in self.items)),
            "bot_reading": f"{reading} ({confidence:.2f})",
            "wordings": " | ".join(t for t, _ in Counter(i.text for i in self.items).most_common(5)),
            "comments": " | ".join(dict.fromkeys(i.comment for i in self.items if i.comment)),
            "conversations": " ".join(ids[:MAX_IDS]) + (f" (+{len(ids) - MAX_IDS} more)" if len(ids) > MAX_IDS else ""),
        }


def grouped(unanswered: List[Unanswered], encode: grouping.Encoder | None = None) -> List[Group]:
    """The unanswered questions in groups of similar wording, largest first."""
    if not unanswered:
        return []
    numbers = grouping.group([u.text for u in unanswered], encode)
    members: Dict[int, List[Unanswered]] = defaultdict(list)
    for number, item in zip(numbers, unanswered, strict=True):
        members[number].append(item)
    ordered = sorted(members.values(), key=lambda items: (-len(items), min(i.time for i in items)))
    return [Group(n, items) for n, items in enumerate(ordered, 1)]


def write_csv(groups: List[Group], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for g in groups:
            writer.writerow(g.row())


# --- the HTML page ---------------------------------------------------------------------------

def _png(figure) -> str:  # noqa: ANN001 - a matplotlib Figure
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=96, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _plots(summary: Summary) -> Dict[str, str]:
    with warnings.catch_warnings():  # matplotlib 3.5 trips over the newer pyparsing Rasa brings
        warnings.simplefilter("ignore")
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

    plots: Dict[str, str] = {}
    days = list(summary.per_day)
    if days:
        fig, ax = plt.subplots(figsize=(8, 3))
        positions = range(len(days))
        width = 0.4
        ax.bar([p - width / 2 for p in positions], [summary.per_day[d]["messages"] for d in days], width,
               label="messages", color="#4a7ab5")
        ax.bar([p + width / 2 for p in positions], [summary.per_day[d]["conversations"] for d in days], width,
               label="conversations", color="#e3a33b")
        step = max(1, len(days) // 15)
        ax.set_xticks(list(positions)[::step])
        ax.set_xticklabels(days[::step], rotation=45, fontsize=7)
        ax.legend()
        ax.set_title("Per day (UTC)")
        plots["per_day"] = _png(fig)
    if summary.questions:
        fig, ax = plt.subplots(figsize=(8, 2.4))
        shares = [100 * summary.share(o) for o in OUTCOMES]
        ax.barh(list(OUTCOMES)[::-1], shares[::-1], color="#4a7ab5")
        ax.set_xlabel("% of questions")
        ax.set_xlim(0, 100)
        plots["outcomes"] = _png(fig)
    if summary.topics:
        top = list(summary.topics.items())[:12]
        fig, ax = plt.subplots(figsize=(8, 3))
        ax.barh([t for t, _ in top][::-1], [n for _, n in top][::-1], color="#4a7ab5")
        ax.set_xlabel("answered questions")
        plots["topics"] = _png(fig)
    if summary.feedback_by_topic:
        names = list(summary.feedback_by_topic)
        up = [summary.feedback_by_topic[t]["helpful"] for t in names]
        down = [summary.feedback_by_topic[t]["not_helpful"] for t in names]
        fig, ax = plt.subplots(figsize=(8, 0.4 * len(names) + 1))
        ax.barh(names, up, color="#3c9a5f", label="helpful")
        ax.barh(names, down, left=up, color="#c0504d", label="not helpful")
        ax.legend()
        ax.set_xlabel("clicks")
        plots["feedback"] = _png(fig)
    return plots


def _table(headers: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _img(plots: Dict[str, str], name: str, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{plots[name]}">' if name in plots else ""


def render_html(summary: Summary, groups: List[Group], source: str, since: str | None) -> str:
    plots = _plots(summary)
    outcome_rows = [(o, summary.outcomes[o], f"{100 * summary.share(o):.1f}%") for o in OUTCOMES]
    feedback_rows = [
        (t, c["helpful"], c["not_helpful"], f"{100 * c['helpful'] / max(1, c['helpful'] + c['not_helpful']):.0f}%")
        for t, c in summary.feedback_by_topic.items()
    ]
    day_rows = [(d, v["conversations"], v["messages"]) for d, v in summary.per_day.items()]
    feedback_table = (_table(("topic", "helpful", "not helpful", "helpful share"), feedback_rows)
                      if feedback_rows else "<p>No feedback yet.</p>")
    group_rows = [(g.number, len(g.items), g.example, g.row()["reasons"], g.row()["bot_reading"],
                   g.row()["last_seen"]) for g in groups[:25]]
    period = f"{summary.first} to {summary.last}" if summary.first else "no messages"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Conversations report</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }}
table {{ border-collapse: collapse; margin: .5rem 0 1.5rem; font-size: .9rem; }}
th, td {{ border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }}
th {{ background: #f0f3f7; }} .figures span {{ display: inline-block; margin-right: 2rem; }}
.figures b {{ font-size: 1.6rem; display: block; }} img {{ max-width: 100%; }}
</style></head><body>
<h1>Conversations report</h1>
<p>{html.escape(period)} (UTC){' since ' + html.escape(since) if since else ''}, from {html.escape(source)}.
Generated {html.escape(when(time.time()))} UTC. Personal data in messages is masked.</p>
<p class="figures"><span><b>{summary.conversations}</b>conversations</span>
<span><b>{summary.questions}</b>questions</span>
<span><b>{100 * summary.share('answered'):.1f}%</b>answered</span>
<span><b>{summary.feedback_clicks}</b>feedback clicks</span>
<span><b>{summary.unanswered}</b>unanswered</span></p>
<h2>Conversations and messages per day</h2>
{_img(plots, 'per_day', 'conversations and messages per day')}
{_table(('day', 'conversations', 'messages'), day_rows)}
<h2>What happened to the questions</h2>
{_img(plots, 'outcomes', 'share of questions by outcome')}
{_table(('outcome', 'questions', 'share'), outcome_rows)}
<h2>Top topics answered</h2>
{_img(plots, 'topics', 'answered questions by topic')}
{_table(('topic', 'answered'), list(summary.topics.items())[:20])}
<h2>Was it helpful? By topic</h2>
{_img(plots, 'feedback', 'thumbs up and down by topic')}
{feedback_table}
<h2>Unanswered questions, grouped</h2>
<p>The largest groups; all {len(groups)} groups are in <a href="unanswered.csv">unanswered.csv</a>.</p>
{_table(('group', 'count', 'example', 'reasons', 'bot reading', 'last seen'), group_rows)}
</body></html>
"""


def parse_since(value: str | None) -> float | None:
    """``YYYY-MM-DD`` (UTC midnight) as a Unix time."""
    if not value:
        return None
    return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=timezone.utc).timestamp()


def write(out: Path, messages: Iterable[Message], source: str, since: str | None = None,
          encode: grouping.Encoder | None = None) -> Summary:
    """Write report.html, unanswered.csv and summary.json into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    summary, unanswered = summarise(messages)
    groups = grouped(unanswered, encode)
    write_csv(groups, out / "unanswered.csv")
    (out / "summary.json").write_text(json.dumps({**summary.to_json(), "groups": len(groups)}, indent=2) + "\n",
                                      encoding="utf-8")
    (out / "report.html").write_text(render_html(summary, groups, source, since), encoding="utf-8")
    return summary
