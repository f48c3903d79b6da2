"""What one step of a scan reports back to the command line."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["LayerSummary"]


@dataclass
class LayerSummary:
    layer: str
    window_s: int | None
    actions: int = 0
    candidates: int = 0  # pairs sharing min_targets targets
    threshold: float = 0.0
    edges: int = 0
    seconds: float = 0.0
    top: list[str] = field(default_factory=list)  # the strongest sentences
    crowded: int = 0  # targets left out for having too many actions
    many_accounts: int = 0  # of those, targets too many accounts acted on (same_text: slogans)
