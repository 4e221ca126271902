"""Flows stage (③b): guided multi-step journeys, declared as data-like Python and validated at import."""
