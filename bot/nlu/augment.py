"""Generated training data: ``python -m bot augment`` writes both files.

1. Follow-ups read in context (``follow_ups_in_context.yml``). The Rasa server
   reads a short follow-up that points back ("who can sit for it?") a second
   time after what the conversation is about ("CCS: who can sit for it?",
   :mod:`bot.nlu.context`). Which intent that second reading gets should be
   learned, not arbitrated: every follow-up of ``data/nlu/followups.yml`` is
   copied with a subject in front, a credential, body or code set (annotated)
   or a topic's title, chosen at random so that the prefix never decides the
   intent. Short declines and complaints get a topic's title in front ("Pay:
   tell me a joke" stays out of scope).
2. Questions told after a story (``long_messages.yml``). People rarely ask in
   one clean sentence: "I've worked retail for twelve years and I'm worn out.
   How long is the program?" is read as a whole, and the background words
   ("worked", "years", "job") pull it toward the experience and apprentice
   intents, as the long stories of ``bench/real_questions.yml`` showed. So
   the classifier is shown such messages: a fixed, seeded sample of every
   question intent's examples, each after one or two sentences from
   :data:`BACKGROUNDS`. Out-of-scope examples get them too, so a story is no
   sign of being in scope.

The backgrounds name no credential, body, code set, level, education path or job
that the entity matcher knows (checked when generating), so the copies carry the
original example's entity annotations and nothing more. The output file is
committed; a unit test checks that it is what this module writes.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List

import yaml

from bot.knowledge import KnowledgeBase

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "data" / "nlu" / "generated" / "long_messages.yml"
FOLLOW_UPS_OUTPUT = ROOT / "data" / "nlu" / "generated" / "follow_ups_in_context.yml"
#: Follow-ups written to point back ("how much does it pay?"), by intent.
FOLLOW_UPS = ROOT / "data" / "nlu" / "followups.yml"
#: Short messages of these intents also get a subject in front: in context they keep their intent.
#: Not "yes"/"no" small talk: "Pay: no thanks" taught that "Pay: and non certified?" is a "no".
CONTEXT_FREE = ("out_of_scope", "complain")
#: ... this many of each, of at most this many words.
CONTEXT_FREE_COPIES = 12
CONTEXT_FREE_MAX_WORDS = 6
#: Entity types that are a follow-up's subject ("CRC: how do I get it").
SUBJECT_TYPES = ("certification", "organization", "coding_system")
SEED = 20261206
#: Copies per intent (taken evenly through the intent's examples).
PER_INTENT = 14
#: Besides the questions (``ask_*``), intents whose examples get a story in front.
ALSO_PREFIXED = ("compare", "out_of_scope")


#: One or two of these go before a copy. Written for this purpose: not taken from any evaluation set.
BACKGROUNDS = (
    "I've been working retail for about twelve years and I'm honestly worn out.",
    "I'm 45 and thinking about a career change.",
    "My sister keeps telling me I'd be good at this.",
    "I keep seeing ads for online programs and I don't know what to believe.",
    "I'm a stay at home mom with two kids and I need something flexible.",
    "I worked as a CNA for six years but my back can't take it anymore.",
    "I'm a medical assistant right now and I'm tired of the front desk chaos.",
    "I used to be a teacher and I'm looking for something different.",
    "I just got laid off from a warehouse job.",
    "Ok so long story short, I hate my job.",
    "I have been doing a lot of research and I'm still confused.",
    "Every website gives me a different answer.",
    "I'm a veteran trying to figure out my next step.",
    "My friend did this a few years ago and loves it.",
    "I'm 22 and have no idea what I want to do with my life.",
    "I have anxiety around people so I want a job with less contact.",
    "Hi, quick question, sorry if this is dumb.",
    "I'm in my fifties and nervous about starting over.",
    "I work nights at a hotel front desk right now.",
    "I was a pharmacy tech for a while and liked the healthcare side of it.",
    "English is my second language but I read and write it well.",
    "I'm good with computers and I pay attention to details.",
    "I read a lot of mixed opinions online.",
    "My husband thinks I'm wasting my time.",
    "Money is tight so I want to make the right choice the first time.",
    "I've been a receptionist at a dental office for three years.",
    "I'm coming out of the military soon.",
    "A recruiter reached out to me about healthcare jobs.",
    "I live in a small town and there aren't many jobs here.",
    "I have a bad shoulder and can't do physical work anymore.",
    "I'm trying to plan the next couple of years.",
    "I was a bartender for a decade.",
    "Honestly I'm overwhelmed by all the acronyms.",
    "I have been reading forums all night.",
    "My mom worked in a doctor's office for years.",
    "I'm a single dad and need steady income.",
    "I just moved to a new state.",
    "Thanks in advance for any advice.",
)


def _prefixed(intent: str) -> bool:
    return intent.startswith("ask_") or intent in ALSO_PREFIXED


def _matches(kb: KnowledgeBase) -> Callable[[str], List[Any]]:
    from bot.nlu.matching import EntityMatcher

    matcher = EntityMatcher(kb.surface_forms(), year_spans=kb.year_spans())
    return lambda text: matcher.find(text)


def clean_backgrounds(kb: KnowledgeBase) -> List[str]:
    """The backgrounds in which the entity matcher finds nothing (an entity there would be unannotated)."""
    find = _matches(kb)
    return [b for b in BACKGROUNDS if not find(b)]


def _examples(nlu_files: Iterable[Path], intents: Iterable[str] | None = None) -> Dict[str, List[str]]:
    """Examples by intent: the question intents (see :func:`_prefixed`), or those named."""
    wanted = set(intents or ())
    by_intent: Dict[str, List[str]] = {}
    for path in sorted(nlu_files):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            intent = block.get("intent")
            if not intent or not (intent in wanted if wanted else _prefixed(intent)):
                continue
            lines = [line[2:].strip() for line in str(block.get("examples") or "").splitlines()
                     if line.strip().startswith("- ")]
            by_intent.setdefault(intent, []).extend(lines)
    return by_intent


def generate(kb: KnowledgeBase, data_dir: Path = ROOT / "data" / "nlu") -> str:
    """The YAML text of the generated training file."""
    rng = random.Random(SEED)
    backgrounds = clean_backgrounds(kb)
    files = sorted(data_dir.glob("*.yml"))
    blocks = []
    for intent, examples in sorted(_examples(files).items()):
        step = max(1, len(examples) // PER_INTENT)
        chosen = examples[::step][:PER_INTENT]
        copies = []
        for example in chosen:
            story = " ".join(rng.sample(backgrounds, rng.choice((1, 1, 2))))
            question = example[:1].upper() + example[1:] if rng.random() < 0.5 else example
            if not question.rstrip().endswith(("?", ".", "!")) and rng.random() < 0.6:
                question += "?"
            copies.append(f"    - {story} {question}")
        blocks.append(f"- intent: {intent}\n  examples: |\n" + "\n".join(copies) + "\n")
    header = ("# Generated by `python -m bot augment` (bot/nlu/augment.py): questions told after a story.\n"
              "# Do not edit by hand; edit the generator or the examples it copies.\n")
    return header + 'version: "3.1"\nnlu:\n' + "".join(blocks)


def _labels(kb: KnowledgeBase) -> List[str]:
    """Subjects as the context reading writes them: annotated entity labels, and topic titles naming none."""
    find = _matches(kb)
    labels = []
    for etype in SUBJECT_TYPES:
        for entity_id in kb.entity_ids(etype):
            entity = kb.entity(etype, entity_id)
            label = entity.short_label
            if [m for m in find(label) if (m.entity, m.value) == (etype, entity_id)]:
                labels.append(f'[{label}]{{"entity": "{etype}", "value": "{entity_id}"}}')
    labels += [t.title for t in kb.topics.values() if not find(t.title)]
    return labels


def generate_follow_ups(kb: KnowledgeBase) -> str:
    """The YAML text of the follow-ups-in-context training file."""
    rng = random.Random(SEED + 1)
    labels = _labels(kb)
    titles = [label for label in labels if not label.startswith("[")]
    follow_ups = _examples([FOLLOW_UPS])
    others = _examples(sorted((ROOT / "data" / "nlu").glob("*.yml")), CONTEXT_FREE)
    blocks = []
    for intent in sorted(set(follow_ups) | set(others)):
        if intent.startswith("ask_") or intent == "compare":
            examples = follow_ups.get(intent, [])
        elif intent in CONTEXT_FREE:
            short = [e for e in others.get(intent, []) if len(e.split()) <= CONTEXT_FREE_MAX_WORDS and "[" not in e]
            examples = short[:: max(1, len(short) // CONTEXT_FREE_COPIES)][:CONTEXT_FREE_COPIES]
        else:
            continue
        # a named credential before a decline would teach that naming one can be out of scope
        # ("certified medical insurance specialist pay" read out_of_scope): those get topic titles
        pool = labels if intent.startswith("ask_") or intent == "compare" else titles
        if examples:
            copies = [f"    - {rng.choice(pool)}: {e}" for e in examples]
            blocks.append(f"- intent: {intent}\n  examples: |\n" + "\n".join(copies) + "\n")
    header = ("# Generated by `python -m bot augment` (bot/nlu/augment.py): follow-ups read after their subject.\n"
              "# Do not edit by hand; edit the generator or data/nlu/followups.yml.\n")
    return header + 'version: "3.1"\nnlu:\n' + "".join(blocks)


def write(kb: KnowledgeBase) -> List[Path]:
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(generate(kb), encoding="utf-8")
    FOLLOW_UPS_OUTPUT.write_text(generate_follow_ups(kb), encoding="utf-8")
    return [OUTPUT, FOLLOW_UPS_OUTPUT]
