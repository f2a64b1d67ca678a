"""Custom actions for the Rasa action server (``rasa run actions``).

Each action is thin: read the tracker, ask :mod:`bot.answers`, dispatch. The
knowledge base is loaded once, when this package is imported by the server.
"""

from bot import knowledge
from bot.knowledge.search import TopicSearch

# fail fast at start-up if knowledge/ is malformed; build the suggestion index now,
# not on the first unsure reply (which took 0.44 s instead of 0.03 s)
TopicSearch.for_kb(knowledge.get())
