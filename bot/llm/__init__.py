"""Language model stage: an optional OpenAI-compatible model that reads and phrases, checked, never trusted."""
