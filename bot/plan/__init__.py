"""The personal career plan: reading a person's answers and building their plan from the facts.

* :mod:`bot.plan.data`: ``knowledge/plan.yml``, checked against the knowledge base;
* :mod:`bot.plan.reader`: free-text answers to the form's questions;
* :mod:`bot.plan.build`: the plan (steps, timeline, sources) and its follow-ups.

Which turn is an answer, an interruption or unusable is decided in
:mod:`bot.dialogue.plan`, with the rest of the turn decisions.
"""
