"""Verdicts, scores against the truth, and what a reporter publishes."""

__all__: list[str] = []
