"""What a group's observed work would cost, by the price models the investigations found.

Each model gives a range in its own currency (no exchange rate is assumed) and says what it
assumes. The figures cover only the work seen in the case: comments outside the collected pages
and days are not counted, so they are a floor for the group's real budget.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import BadParameter

__all__ = ["PriceModel", "PRICE_MODELS", "estimate_cost"]


@dataclass(frozen=True)
class PriceModel:
    name: str
    currency: str
    low: float
    high: float
    unit: str  # "comment", "worker-month"
    source: str  # where the price comes from, in the seeds


PRICE_MODELS = (
    PriceModel("private farm, paid per comment", "KZT", 500, 1000, "comment",
               "a private farm's rate of 500-1000 tenge per comment (Kazakhstan)"),
    PriceModel("in-house operators, per comment", "KZT", 50, 50, "comment",
               "about 50 tenge per comment for in-house staff (Kazakhstan)"),
    PriceModel("workers running five accounts", "USD", 100, 150, "worker-month",
               "$100-150 a month per worker running five accounts (Kyrgyzstan)"),
    PriceModel("salaried workers at 50-70 comments a day", "USD", 350, 350, "worker-month",
               "$350 a month for one worker writing 50-70 comments a working day (Kyrgyzstan)"),
)


def _money(value: float, currency: str) -> str:
    return f"{currency} {value:,.0f}" if currency != "USD" else f"${value:,.0f}"


def estimate_cost(*, comments: int, accounts: int, active_days: int, first_ts: int | None = None,
                  last_ts: int | None = None, accounts_per_worker: int = 5,
                  comments_per_worker_day: tuple[int, int] = (50, 70), working_days_per_month: int = 22
                  ) -> list[dict]:
    """One row per price model: model, currency, low, high, and the assumptions in words.

    `comments`: comments and replies the group wrote in the case; `accounts`: its accounts;
    `active_days`: days on which it wrote anything; `first_ts`/`last_ts`: its first and last
    item (UTC seconds), which set the months it was paid for (at least one).
    """
    for name, value in (("comments", comments), ("accounts", accounts), ("active_days", active_days)):
        if not isinstance(value, int) or value < 0:
            raise BadParameter(f"The '{name}' parameter of estimate_cost must be an int >= 0; got {value!r}.")
    lo_rate, hi_rate = comments_per_worker_day
    if not 0 < lo_rate <= hi_rate:
        raise BadParameter(f"comments_per_worker_day must be two numbers 0 < low <= high; got {comments_per_worker_day}.")
    span_days = (last_ts - first_ts) / 86_400 + 1 if first_ts is not None and last_ts is not None else active_days
    months = max(1.0, span_days / 30.4)
    workers = math.ceil(accounts / accounts_per_worker) if accounts else 0
    worker_days = (comments / hi_rate, comments / lo_rate)
    out = []
    for m in PRICE_MODELS:
        if m.unit == "comment":
            low, high = comments * m.low, comments * m.high
            assumes = f"{comments:,} comments at {m.source}."
        elif m.name.startswith("workers running"):
            low, high = workers * months * m.low, workers * months * m.high
            assumes = (f"{workers:,} worker(s) (one per {accounts_per_worker} of its {accounts:,} accounts) for "
                       f"{months:.1f} month(s), at {m.source}.")
        else:
            worker_months = (worker_days[0] / working_days_per_month, worker_days[1] / working_days_per_month)
            low, high = worker_months[0] * m.low, worker_months[1] * m.high
            assumes = (f"{comments:,} comments take {worker_days[0]:,.0f}-{worker_days[1]:,.0f} worker-days at "
                       f"{lo_rate}-{hi_rate} a day, {working_days_per_month} working days a month, at {m.source}.")
        out.append({"model": m.name, "currency": m.currency, "low": round(low, 2), "high": round(high, 2),
                    "range": _money(low, m.currency) + ("" if high == low else f" - {_money(high, m.currency)}"),
                    "assumes": assumes})
    return out
