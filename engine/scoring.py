"""The scoring model: priors times likelihood ratios, normalised (naive Bayes).

Every cause starts from its ``prior`` (the share of connection failures it
explains in the field). Each evidence rule that fires multiplies that cause's
odds by its likelihood ratio ``lr``: how many times more likely the matched
facts are when this cause is behind the failure. Rules with ``rules_out``
set a cause's weight to zero. Weights are then normalised over all causes
plus one residual hypothesis, "a cause this KB does not know", that keeps
``max(0.05, 1 - sum of priors)`` and is never moved by evidence.

So ``confidence`` is a posterior probability under the single-fault
assumption: 0.8 means that, if exactly one cause (known or not) is behind the
failure and the rules' likelihood ratios are right, four times in five it is
this one. Confidences of all causes and the residual sum to 1. The model
assumes rules of one cause are independent given the cause; KB authors keep
overlapping rules apart (``not``) so that one observation is not counted twice.

A rule's ``effect`` in the JSON is ``log10(lr)``, its weight of evidence in
bans: +1 means ten times more likely, -1 ten times less, 0.6 about four times.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

OTHER_CAUSE_MIN_PRIOR = 0.05
RULED_OUT = "ruled_out"


@dataclass(frozen=True)
class Contribution:
    """One fired rule's effect on one cause."""

    cause: str
    rule: str
    lr: float | None
    rules_out: bool = False

    @property
    def effect(self) -> float:
        """Weight of evidence in bans (log10 of the likelihood ratio)."""
        return 0.0 if self.lr is None else math.log10(self.lr)


@dataclass(frozen=True)
class Posterior:
    """Posterior probabilities by cause, the residual, and which causes are out."""

    probability: dict[str, float]
    other: float
    ruled_out: frozenset[str]

    def ranked(self) -> list[tuple[str, float]]:
        """Causes best first (ties broken by id, so the order never depends on rule order)."""
        return sorted(self.probability.items(), key=lambda item: (-item[1], item[0]))

    def top(self) -> str | None:
        """The best cause, or None when every cause is ruled out or equal to its prior."""
        ranked = self.ranked()
        return ranked[0][0] if ranked and ranked[0][1] > 0 else None

    def entropy_bits(self) -> float:
        """Shannon entropy of the distribution over causes and the residual."""
        values = [*self.probability.values(), self.other]
        return -sum(p * math.log2(p) for p in values if p > 0)


def posterior(priors: Mapping[str, float], contributions: Iterable[Contribution]) -> Posterior:
    """Combine priors and fired rules into posterior probabilities (order independent)."""
    # math.fsum is correctly rounded, so the sum of log-ratios does not depend on
    # the order the rules fired in: two causes tied in exact arithmetic stay tied
    # (and are ordered by id) however the KB lists its rules.
    terms: dict[str, list[float]] = {cause: [math.log(prior)] for cause, prior in priors.items()}
    ruled_out: set[str] = set()
    for item in contributions:
        if item.cause not in terms:
            continue
        if item.rules_out:
            ruled_out.add(item.cause)
        elif item.lr is not None:
            terms[item.cause].append(math.log(item.lr))
    log_weight = {cause: math.fsum(values) for cause, values in terms.items()}
    other_prior = max(OTHER_CAUSE_MIN_PRIOR, 1.0 - math.fsum(priors.values()))
    candidates = {c: w for c, w in log_weight.items() if c not in ruled_out}
    top = max([*candidates.values(), math.log(other_prior)])
    weights = {c: math.exp(w - top) for c, w in candidates.items()}
    other_weight = math.exp(math.log(other_prior) - top)
    total = math.fsum([*weights.values(), other_weight])
    probability = {c: weights.get(c, 0.0) / total for c in priors}
    return Posterior(probability, other_weight / total, frozenset(ruled_out))
