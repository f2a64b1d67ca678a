"""Learning from conversations: the report, the export and pruning, read from the tracker store.

* :mod:`bot.conversations.store`: the tracker store's events table (SQLite or PostgreSQL);
* :mod:`bot.conversations.turns`: what each user message got (answered, declined, ...);
* :mod:`bot.conversations.grouping`: similar wordings grouped with the bot's MiniLM;
* :mod:`bot.conversations.report`: ``report.html``, ``unanswered.csv``, ``summary.json``;
* :mod:`bot.conversations.export`: JSON lines, and NLU stubs for the unanswered;
* :mod:`bot.conversations.commands`: ``python -m bot report | export | prune``.
"""
