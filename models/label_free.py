"""What a network's predictions say without labels: how much consecutive checkpoints agree
(stopping advice) and how accurate a checkpoint is on unlabeled data (accuracy estimates).

- :func:`cohens_kappa`: agreement of two label vectors beyond chance, the "stabilizing
  predictions" stopping signal (Bloodgood & Vijay-Shanker 2009): the kappa between the
  predictions of consecutive models on a fixed stop set of unlabeled items; when it stays at or
  above 0.99 over a window of 3 rounds, more labels are unlikely to change the model.
- :func:`atc_threshold` / :func:`atc_estimate`: average thresholded confidence (ATC, Garg et al.
  2022). On labeled calibration data, the threshold t makes the share of items with confidence
  above t equal to the accuracy there; on unlabeled data, the share above t estimates accuracy.
  The confidence is the negative entropy of the softmax (ATC-NE, the paper's best variant).
- :func:`average_confidence`: the mean max-softmax probability (AC), the paper's baseline.

Pure PyTorch, plain floats out.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor


def cohens_kappa(a: Tensor, b: Tensor, num_classes: int | None = None) -> float:
    """a, b: [N] class indices -> κ = (p_o − p_e) / (1 − p_e), with p_o the share of items on
    which they agree and p_e = Σ_k p_a(k)·p_b(k) the agreement expected by chance from each
    vector's class frequencies. When p_e = 1 (both predict one and the same class everywhere) the
    two agree perfectly and κ = 1."""
    if a.dim() != 1 or a.shape != b.shape or a.numel() == 0:
        raise ValueError(f"expected two non-empty [N] vectors, got {tuple(a.shape)} and {tuple(b.shape)}")
    a, b = a.long(), b.long()
    k = max(int(num_classes or 0), int(max(a.max(), b.max())) + 1)
    n = a.numel()
    p_o = float((a == b).double().mean())
    p_a = torch.bincount(a, minlength=k).double() / n
    p_b = torch.bincount(b, minlength=k).double() / n
    p_e = float((p_a * p_b).sum())
    if p_e >= 1.0 - 1e-12:
        return 1.0
    return (p_o - p_e) / (1.0 - p_e)


def negative_entropy(logits: Tensor) -> Tensor:
    """logits: [N, C] -> [N] Σ_k p_k log p_k (0 for a one-hot softmax, −log C for a uniform one)."""
    logp = torch.log_softmax(logits.double(), dim=-1)
    return (logp.exp() * logp).sum(dim=-1)


def average_confidence(logits: Tensor) -> float:
    """logits: [N, C] -> mean_i max_k softmax(z_i)_k."""
    if logits.dim() != 2 or logits.shape[0] == 0:
        raise ValueError(f"expected non-empty logits [N, C], got {tuple(logits.shape)}")
    return float(torch.softmax(logits.double(), dim=-1).max(dim=-1).values.mean())


def atc_threshold(logits: Tensor, y: Tensor) -> float:
    """The ATC threshold on labeled calibration data: with accuracy a = mean[argmax z_i = y_i] and
    k = round(a·N) items to keep, t is the (k+1)-th largest confidence s_(k+1), so that exactly k
    confidences lie strictly above it when they are distinct (−inf when k = N: all above)."""
    if logits.dim() != 2 or y.dim() != 1 or logits.shape[0] != y.shape[0] or y.numel() == 0:
        raise ValueError(f"expected logits [N, C] and y [N], got {tuple(logits.shape)}, {tuple(y.shape)}")
    n = int(y.numel())
    acc = float((logits.argmax(dim=-1) == y.to(logits.device)).double().mean())
    k = round(acc * n)
    if k >= n:
        return -math.inf
    scores = torch.sort(negative_entropy(logits), descending=True).values
    return float(scores[k])


def atc_estimate(logits: Tensor, threshold: float) -> float:
    """logits: [N, C] of unlabeled items -> the share whose confidence exceeds ``threshold``."""
    if logits.dim() != 2 or logits.shape[0] == 0:
        raise ValueError(f"expected non-empty logits [N, C], got {tuple(logits.shape)}")
    return float((negative_entropy(logits) > threshold).double().mean())


def estimates(calibration: tuple[Tensor, Tensor], unlabeled: Tensor) -> dict[str, float]:
    """Both accuracy estimates of one network on ``unlabeled`` logits, ATC calibrated on the
    (logits, labels) pair ``calibration``."""
    return {
        "atc": atc_estimate(unlabeled, atc_threshold(*calibration)),
        "average_confidence": average_confidence(unlabeled),
    }


class RoundWatch:
    """What a simulated run records after each round, next to the true accuracy: kappa between
    this round's and the previous round's predictions on a fixed stop set of pool items, and the
    accuracy estimates on the eval inputs (their labels unused), ATC calibrated on
    ``calibration`` (None: no ATC)."""

    def __init__(
        self,
        stop_x: Tensor,
        eval_x: Tensor,
        calibration: tuple[Tensor, Tensor] | None,
        num_classes: int,
        device: torch.device | None = None,
    ) -> None:
        self.stop_x, self.eval_x, self.calibration = stop_x, eval_x, calibration
        self.num_classes, self.device = num_classes, device
        self.previous: Tensor | None = None

    def observe(self, model: torch.nn.Module) -> dict[str, float | None]:
        from models.inference import predict  # imported here: models.inference imports the strategies

        classes = predict(model, self.stop_x, device=self.device).logits.argmax(dim=-1)
        kappa = None if self.previous is None else cohens_kappa(classes, self.previous, self.num_classes)
        self.previous = classes
        logits = predict(model, self.eval_x, device=self.device).logits
        atc = None
        if self.calibration is not None:
            cal = predict(model, self.calibration[0], device=self.device).logits
            atc = atc_estimate(logits, atc_threshold(cal, self.calibration[1]))
        return {"kappa": kappa, "atc": atc, "average_confidence": average_confidence(logits)}
