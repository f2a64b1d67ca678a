"""Custom actions for the Rasa action server (``rasa run actions``).

Each action is thin: read the tracker, ask :mod:`bot.answers`, dispatch. The
knowledge base is loaded once, when this package is imported by the server.
"""

from bot import knowledge

knowledge.get()  # fail fast at start-up if knowledge/ is malformed
