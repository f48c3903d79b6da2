"""Verdicts: every account gets a score, a label and its reasons, strongest first, from all the
evidence in the case.

Each detector's findings about an account become one number from 0 to 1 (its findings combined
as independent chances: 1 - (1 - s1)(1 - s2)...). Detectors that see the same fact (the same words,
found by the co-action layer and by the text detectors) belong to one family (`FAMILIES`). With no
analyst labels the score takes, per family, the strongest of its detectors, each discounted by a
documented default weight (`DEFAULT_WEIGHTS`), and combines the families as independent chances:

    score = 1 - product over families of (1 - max over its detectors of weight x finding)

so one strong kind of evidence reaches `doubtful`, and `fake` takes two independent ones: reasons
from two families, not counting derived ones (groups) or context (friendship, shared groups). When the
analyst has labelled enough accounts, the same model learns its weights from them, pulled towards
the defaults as far as cross-validation on the labels allows (report/shrinkage.py: the defaults stay
unless learned weights did better on held-out labels; a plain logistic regression is the other
`fit_model` method), and its cross-validated accuracy is reported with the verdicts. Either way an account's reasons
are the sentences of its findings, ranked by what each added to the score, and an analyst's label
always wins over the computed one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..clusters import CONTEXT_DETECTORS
from ..errors import BadParameter
from .shrinkage import SHRINK_GRID, choose_shrink, fit_weights, noisy_or

__all__ = ["DEFAULT_WEIGHTS", "DERIVED", "THRESHOLDS", "Features", "Model", "account_features", "weights_for", "fit_model",
           "fit_shrunk", "judge", "independent_reasons", "LABEL_OF_ANALYST", "FAMILIES", "NOT_INDEPENDENT", "family_of",
           "MIN_INDEPENDENT", "MIN_INDEPENDENT_PART"]

# `fake` needs this many independent kinds of evidence, each adding at least this much to the score.
MIN_INDEPENDENT, MIN_INDEPENDENT_PART = 2, 0.25

# How much one kind of finding counts, by detector name or name prefix (the longest match wins).
# Evidence that shows coordination directly (one IP, the same words at the same moment, a stolen
# photo) counts most; signs that real people also show (a thin profile, a young account, a
# name-plus-digits handle) count least, so that they only tip a verdict together with others.
DEFAULT_WEIGHTS: dict[str, float] = {
    "coaction.shared_ip": 0.9,  # one IP address behind several commenters
    "coaction.same_text": 0.8,  # the same words, at any time
    "coaction.co_text": 0.85,  # the same words at the same moment
    "coaction.": 0.7,  # any other co-action layer: the same posts, links, shares within minutes
    "groups": 0.3,  # member of an operator group (follows from the co-action above; not independent)
    "coaction.shared_groups": 0.3,  # context: in the same rare groups (counts only beside other evidence)
    "relations.": 0.3,  # context: friends or follows each other (counts only beside other evidence)
    "photos.": 0.8,  # stolen, reused or mirrored photos
    "text.": 0.75,  # identical and templated comments, shared typos
    "text.same_talking_point": 0.3,  # the same point in other words (an embedding model): much weaker than copied words
    "signals.friends_burst": 0.6,
    "signals.upload_burst": 0.6,
    "signals.creation_burst": 0.6,
    "signals.target_concentration": 0.5,
    "signals.mechanical_cadence": 0.5,
    "signals.working_hours": 0.4,
    "signals.thin_profile": 0.3,
    "signals.name_photo_mismatch": 0.8,  # someone else's photo under another name (or under theirs)
    "signals.account_age": 0.2,
    "signals.username_pattern": 0.1,
    "": 0.5,  # a detector not listed here
}
# Findings derived from other findings: they rank as reasons but do not count as independent ones.
DERIVED = ("groups", "verdicts")

# Families of evidence, by detector name or name prefix (the longest match wins; a detector not
# listed is a family of its own). Detectors of one family see the same fact, so within a family
# only the strongest finding counts towards the score, and two reasons are independent only when
# they come from two families.
FAMILIES: dict[str, str] = {
    "coaction.same_text": "text",  # the same words, whoever found them
    "coaction.co_text": "text",
    "text.": "text",
    "coaction.shared_ip": "infrastructure",
    "coaction.shared_groups": "context",
    "coaction.": "timing",  # co_reply, co_share, co_reaction, co_url, co_hashtags, coortweet: acting in step
    "relations.": "context",
    "photos.": "photos",
    "signals.account_age": "creation",  # when the account was made and set up
    "signals.creation_burst": "creation",
    "signals.upload_burst": "creation",
    "signals.friends_burst": "friends",
    "signals.thin_profile": "profile",
    "signals.username_pattern": "profile",
    "signals.name_photo_mismatch": "photos",  # what the names add to a photo finding: the same fact
    "signals.target_concentration": "targets",
    "signals.working_hours": "schedule",
    "signals.mechanical_cadence": "schedule",
    "groups": "groups",
    "verdicts": "verdicts",
    "spread.": "spread",
}
# Families whose reasons never count as independent: derived from the others (groups), or context
# that real friends, families and colleagues show too (friendship, shared groups).
NOT_INDEPENDENT = ("groups", "verdicts", "context")
LABEL_OF_ANALYST = {"fake": "fake", "doubtful": "doubtful", "real": "unlikely"}


@dataclass
class Features:
    """Per account (rows) and detector (columns): the combined strength of its findings, and the
    sentence of its strongest finding."""

    keys: list[tuple[str, str]]  # (platform, account_id), sorted
    detectors: list[str]  # sorted
    x: np.ndarray  # float, len(keys) x len(detectors)
    sentence: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) -> sentence
    findings: dict[tuple[int, int], int] = field(default_factory=dict)  # (row, column) -> number of findings
    items: dict[tuple[int, int], list[str]] = field(default_factory=dict)  # (row, column) -> items of the best
    _index: dict = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._index = {k: i for i, k in enumerate(self.keys)}

    def row(self, key: tuple[str, str]) -> int | None:
        """The row of an account, or None."""
        return self._index.get(key)


def account_features(evidence: pa.Table, accounts: list[tuple[str, str]] | None = None,
                     *, skip: tuple[str, ...] = ("verdicts",)) -> Features:
    """Features of every account named by `evidence` (detector, platform, account_ids, strength,
    sentence), plus `accounts` (with no finding: zeros). Findings of detectors in `skip` are left out."""
    ev = evidence.filter(pc.invert(pc.is_in(evidence["detector"], pa.array(list(skip), pa.string())))) \
        if evidence.num_rows else evidence
    lists = ev["account_ids"].combine_chunks() if ev.num_rows else pa.array([], pa.list_(pa.string()))
    parent = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
    account = pc.list_flatten(lists).to_numpy(zero_copy_only=False).astype(str)
    platform = ev["platform"].to_numpy(zero_copy_only=False).astype(str)[parent] if ev.num_rows else np.zeros(0, str)
    detector = ev["detector"].to_numpy(zero_copy_only=False).astype(str)[parent] if ev.num_rows else np.zeros(0, str)
    strength = np.clip(ev["strength"].to_numpy(zero_copy_only=False)[parent], 0.0, 1.0) if ev.num_rows \
        else np.zeros(0)
    keys = sorted(set(zip(platform.tolist(), account.tolist())) | set(accounts or []))
    index = {k: i for i, k in enumerate(keys)}
    detectors = sorted(set(detector.tolist()))
    d_index = {d: j for j, d in enumerate(detectors)}
    rows = np.array([index[k] for k in zip(platform.tolist(), account.tolist())], np.int64)
    cols = np.array([d_index[d] for d in detector.tolist()], np.int64)
    log_miss = np.zeros((len(keys), len(detectors)))
    np.add.at(log_miss, (rows, cols), np.log1p(-np.minimum(strength, 1 - 1e-9)))
    x = -np.expm1(log_miss)
    sentences = ev["sentence"].to_numpy(zero_copy_only=False)[parent] if ev.num_rows else np.zeros(0, object)
    order = np.lexsort((sentences.astype(str), -strength, cols, rows))  # strongest first, then by text
    item_lists = ev["item_ids"].to_pylist() if ev.num_rows and "item_ids" in ev.column_names else None
    best: dict[tuple[int, int], str] = {}
    items: dict[tuple[int, int], list[str]] = {}
    count: dict[tuple[int, int], int] = {}
    for i in order:
        cell = (int(rows[i]), int(cols[i]))
        if cell not in best:
            best[cell] = str(sentences[i])
            items[cell] = list(item_lists[parent[i]] or []) if item_lists is not None else []
        count[cell] = count.get(cell, 0) + 1
    return Features(keys, detectors, x, best, count, items)


def _longest(table: dict, detector: str) -> str | None:
    """The entry of `table` for `detector`: its own name, else its longest listed prefix ("" for any)."""
    return max((p for p in table if detector == p or (p.endswith(".") and detector.startswith(p)) or p == ""),
               key=len, default=None)


def weights_for(detectors: list[str], weights: dict[str, float] | None = None) -> np.ndarray:
    """Each detector's weight: its own entry, else its longest listed prefix."""
    table = DEFAULT_WEIGHTS if weights is None else weights
    out = []
    for d in detectors:
        match = _longest(table, d)
        out.append(table[match] if match is not None else 0.5)
    return np.array(out, float)


def family_of(detector: str) -> str:
    """The family of evidence a detector belongs to (`FAMILIES`); a detector not listed is its own."""
    match = _longest(FAMILIES, detector)
    return FAMILIES[match] if match is not None else detector


@dataclass
class Model:
    """Weights learned from the analyst's labels: a logistic regression over the features."""

    detectors: list[str]
    intercept: float
    coef: np.ndarray
    labels: int  # labelled accounts it learned from
    fakes: int
    cv_accuracy: float | None  # mean accuracy over the folds
    folds: int
    # method "shrunk": the default model's own weights, moved from DEFAULT_WEIGHTS only as far as the
    # labels justify (coef holds the weights, intercept is 0); None for a logistic regression
    weights: dict[str, float] | None = None
    shrink: float | None = None  # the chosen pull towards the defaults; None: the defaults were kept
    cv_f1: float | None = None  # F1 of `fake` on the held-out labels, with the weights chosen
    cv_f1_default: float | None = None  # the same with the default weights
    fake_at: float | None = None  # the score from which an account is fake, chosen with the weights


def _logistic(x: np.ndarray, y: np.ndarray, l2: float, iterations: int = 50) -> tuple[float, np.ndarray]:
    """L2-penalised logistic regression by Newton's method (the intercept is not penalised)."""
    a = np.hstack([np.ones((len(x), 1)), x])
    beta = np.zeros(a.shape[1])
    penalty = np.full(a.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-np.clip(a @ beta, -30, 30)))
        grad = a.T @ (p - y) + penalty * beta
        hess = (a * (p * (1 - p))[:, None]).T @ a + np.diag(penalty) + 1e-9 * np.eye(a.shape[1])
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return float(beta[0]), beta[1:]


def fit_model(features: Features, labels: dict[tuple[str, str], bool], *, method: str = "shrunk", l2: float = 1.0,
              folds: int = 5, seed: int = 1, min_labels: int = 10, min_per_class: int = 3,
              shrink_grid: tuple[float, ...] = SHRINK_GRID) -> Model | None:
    """Weights learned from `labels` (account -> is fake), with `folds`-fold cross-validated
    accuracy (stratified, seeded); None when there are fewer than `min_labels` labels or fewer
    than `min_per_class` of either kind.

    `method` "shrunk" (the default) learns the default model's own weights, pulled towards
    DEFAULT_WEIGHTS (see `fit_shrunk`), so that a few labels cannot make the verdicts worse than
    the defaults; "logistic" is a plain L2-penalised logistic regression (penalty `l2`)."""
    if method not in ("shrunk", "logistic"):
        raise BadParameter(f"The 'method' parameter of fit_model must be 'shrunk' or 'logistic'; got {method!r}.")
    if l2 <= 0:
        raise BadParameter(f"The 'l2' parameter of fit_model must be > 0; got {l2}.")
    known = sorted(labels.items())
    y = np.array([v for _k, v in known], float)
    if len(y) < min_labels or y.sum() < min_per_class or (1 - y).sum() < min_per_class:
        return None
    x = np.zeros((len(known), len(features.detectors)))  # a labelled account no finding names: all zeros
    for i, (k, _v) in enumerate(known):
        r = features.row(k)
        if r is not None:
            x[i] = features.x[r]
    k = int(min(folds, y.sum(), (1 - y).sum()))
    rng = np.random.default_rng(seed)
    fold = np.empty(len(y), np.int64)
    for cls in (0.0, 1.0):
        members = np.flatnonzero(y == cls)
        fold[rng.permutation(members)] = np.arange(len(members)) % k
    if method == "shrunk":
        return fit_shrunk(features.detectors, x, y, fold, k, shrink_grid=shrink_grid)
    correct = []
    for f in range(k):
        train, test = fold != f, fold == f
        b0, b = _logistic(x[train], y[train], l2)
        p = 1 / (1 + np.exp(-np.clip(b0 + x[test] @ b, -30, 30)))
        correct.append(float(((p >= 0.5) == (y[test] == 1)).mean()))
    b0, b = _logistic(x, y, l2)
    return Model(list(features.detectors), b0, b, len(y), int(y.sum()), float(np.mean(correct)) if k >= 2 else None, k)


def fit_shrunk(detectors: list[str], x: np.ndarray, y: np.ndarray, fold: np.ndarray, k: int, *,
               shrink_grid: tuple[float, ...] = SHRINK_GRID, context: tuple[str, ...] = CONTEXT_DETECTORS) -> Model:
    """The default model's weights learned from labelled findings `x` (y: is fake), pulled towards
    DEFAULT_WEIGHTS by the pull that did best on held-out labels (report/shrinkage.py); the
    defaults themselves when no pull beat them. Folds: `fold` (k of them)."""
    x = _without_lone_context(x, detectors, context)
    w0 = weights_for(detectors)
    codes, family, independent = _family_codes(detectors)
    fake_at = THRESHOLDS["default"][0]
    rule = dict(fake_at=fake_at, learned_fake_at=(THRESHOLDS["learned"][0],), min_independent=MIN_INDEPENDENT,
                min_part=MIN_INDEPENDENT_PART)
    chosen, results = choose_shrink(x, y, w0, family, len(codes), independent, fold, k, grid=shrink_grid, **rule) \
        if k >= 2 else ((None, fake_at), {(None, fake_at): {"f1": None, "accuracy": None}})
    shrink, at = chosen
    w = w0 if shrink is None else fit_weights(x, y, w0, family, len(codes), shrink)
    return Model(list(detectors), 0.0, w, len(y), int(y.sum()), results[chosen]["accuracy"], k,
                 weights=dict(zip(detectors, w.round(4).tolist())), shrink=shrink, cv_f1=results[chosen]["f1"],
                 cv_f1_default=results[(None, fake_at)]["f1"], fake_at=at)


def _family_codes(detectors: list[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The families of `detectors` (sorted), each detector's family code, and which families
    count as independent evidence."""
    families = [family_of(d) for d in detectors]
    codes = sorted(set(families))
    return (codes, np.array([codes.index(f) for f in families], np.int64),
            np.array([c not in NOT_INDEPENDENT for c in codes], bool))


def _without_lone_context(x: np.ndarray, detectors: list[str], context: tuple[str, ...]) -> np.ndarray:
    """Findings with context ones (friendship, shared groups) zeroed for accounts no primary finding names."""
    x = x.copy()
    cols = np.array(detectors, dtype=object)
    context_cols = np.isin(cols, list(context)) if len(cols) else np.zeros(0, bool)
    primary = ~context_cols & ~np.isin(cols, list(DERIVED)) if len(cols) else np.zeros(0, bool)
    alone = ~(x[:, primary] > 0).any(axis=1) if primary.any() else np.ones(len(x), bool)
    x[np.ix_(alone, context_cols)] = 0.0
    return x


# Score thresholds: (fake, doubtful) for the default weights (and default weights learned from
# labels), and for a logistic regression, whose score is the probability that the analyst would
# call the account fake.
THRESHOLDS = {"default": (0.75, 0.45), "learned": (0.5, 0.25)}


def judge(features: Features, *, model: Model | None = None, weights: dict[str, float] | None = None,
          analyst: dict[tuple[str, str], tuple[str, str]] | None = None, fake_at: float | None = None,
          doubtful_at: float | None = None, min_reason: float = 0.1, max_reasons: int = 8,
          context: tuple[str, ...] = CONTEXT_DETECTORS, min_independent: int = MIN_INDEPENDENT,
          min_independent_part: float = MIN_INDEPENDENT_PART) -> list[dict]:
    """A verdict per account: platform, account_id, score, label, reasons (sentences, the largest
    contribution first), detectors (of those reasons) and item_ids (the items that show them),
    from the default weights or a learned model (`fit_model`: learned default-model weights, judged
    like the defaults with the model's own `fake_at`; or a logistic regression).

    An account is `fake` when its score reaches `fake_at` and its reasons rest on at least
    `min_independent` independent kinds of evidence (else it is at most `doubtful`), `doubtful`
    from `doubtful_at`; thresholds default to THRESHOLDS for the weighting used (for learned
    default-model weights, the model's `fake_at`, and `doubtful_at` in the same proportion).
    `analyst` maps an account to (label, note) and wins over the computed label. Findings of the
    `context` detectors (friendship, shared groups) count only for an account that other,
    independent evidence names. A reason is
    listed when it adds at least `min_reason` to the score (default weights) or to the log-odds
    (learned model); it counts as independent evidence for `fake` only when it adds at least
    `min_independent_part` (a weak finding, like a loose family of common phrases, is shown but
    cannot make an account fake with one other kind of evidence).
    """
    logistic = model is not None and model.weights is None
    default_fake, default_doubtful = THRESHOLDS["learned" if logistic else "default"]
    if model is not None and not logistic:  # the default model with learned weights (and its threshold)
        if model.fake_at is not None:
            default_fake, default_doubtful = model.fake_at, model.fake_at * default_doubtful / default_fake
        weights, model = {**DEFAULT_WEIGHTS, **model.weights}, None
    fake_at = default_fake if fake_at is None else fake_at
    doubtful_at = default_doubtful if doubtful_at is None else doubtful_at
    if not 0 <= doubtful_at <= fake_at <= 1:
        raise BadParameter(f"Thresholds must satisfy 0 <= doubtful_at <= fake_at <= 1; got {doubtful_at} and {fake_at}.")
    x = _without_lone_context(features.x, features.detectors, context)  # context only ever adds to evidence
    if model is None:
        w = weights_for(features.detectors, weights)
        part = x * w
        codes, family, _independent = _family_codes(features.detectors)
        score = noisy_or(x, w, family, len(codes))[0]  # one fact (family) counts once
    else:
        coef = dict(zip(model.detectors, model.coef))
        b = np.array([coef.get(d, 0.0) for d in features.detectors])
        part = x * b
        score = 1 / (1 + np.exp(-np.clip(model.intercept + part.sum(axis=1), -30, 30)))
    analyst = analyst or {}
    out = []
    for i, key in enumerate(features.keys):
        order = np.argsort(-part[i], kind="stable")
        reasons, detectors, strong = [], [], []
        for j in order[:max_reasons]:
            if part[i, j] < min_reason or (i, j) not in features.sentence:
                break
            more = features.findings.get((i, j), 1) - 1
            text = features.sentence[(i, j)]
            if more:
                text = f"{text.rstrip('.')} (and {more} more finding{'s' if more > 1 else ''} like it)."
            reasons.append(text)
            detectors.append(features.detectors[j])
            if part[i, j] >= min_independent_part:
                strong.append(features.detectors[j])
        shown = sorted({item for j in order[:len(reasons)] for item in features.items.get((i, int(j)), [])[:10]})
        s = float(score[i])
        label = "fake" if s >= fake_at and independent_reasons(strong) >= min_independent else \
            "doubtful" if s >= doubtful_at else "unlikely"
        if key in analyst:
            given, note = analyst[key]
            label = LABEL_OF_ANALYST.get(given, label)
            reasons.insert(0, f"An analyst labelled this account {given}" + (f": {note}" if note else "."))
            detectors.insert(0, "analyst")
        out.append({"platform": key[0], "account_id": key[1], "score": round(s, 6), "label": label,
                    "reasons": reasons, "detectors": detectors, "item_ids": shown[:50]})
    return out


def independent_reasons(detectors: list[str]) -> int:
    """How many independent kinds of evidence a verdict rests on: the families of its reasons'
    detectors (`FAMILIES`), less derived ones (groups), context (friendship, shared groups) and the
    analyst's own label."""
    return len({family_of(d) for d in detectors if d != "analyst"} - set(NOT_INDEPENDENT))
