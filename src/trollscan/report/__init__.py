"""Verdicts, scores against the truth, and what a reporter publishes."""
