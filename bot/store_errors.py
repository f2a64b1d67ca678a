"""What a tracker store raises when a conversation cannot be read or written.

Raised by :mod:`bot.tracker_store` and, for any other store, by Rasa's
``FailSafeTrackerStore`` as :mod:`bot.channels.resilience` changes it; the
processor answers either with a short "not saved, please send it again".
"""


class TrackerNotSaved(RuntimeError):
    """A turn could not be written to the tracker store."""


class TrackerNotRead(RuntimeError):
    """A conversation could not be read from the tracker store."""
