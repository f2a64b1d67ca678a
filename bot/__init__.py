"""Career-advice assistant for medical billing and coding: knowledge, NLU parts, answers, channels."""
