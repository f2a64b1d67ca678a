"""Career-advice assistant for medical billing and coding: knowledge, NLU parts, answers, channels."""

from bot.privacy import install_log_masking

# Every process that runs this project's code (Rasa server, action server, rasa
# shell, the command line) masks personal data in log lines at INFO and above.
install_log_masking()
