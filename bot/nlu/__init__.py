"""Custom NLU parts. The Rasa components live in :mod:`bot.nlu.components`."""
