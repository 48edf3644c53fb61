"""SemiHardTripletLoss against a plain Python loop over every (anchor, positive, negative)."""

from __future__ import annotations

import math

import pytest
import torch

from attendance_app.training.semi_hard_triplets import SemiHardTripletLoss


def _loop_oracle(embeddings: torch.Tensor, labels: list[int], margin: float):
    """Semi-hard set and loss straight from the issue text, one triplet at a time."""
    rows = embeddings.tolist()
    x = [[v / math.sqrt(sum(w * w for w in row)) for v in row] for row in rows]

    def d(i: int, j: int) -> float:
        return math.sqrt(sum((a - b) ** 2 for a, b in zip(x[i], x[j])))

    mined, losses, total, active = set(), [], 0, 0
    n = len(labels)
    for a in range(n):
        for p in range(n):
            if p == a or labels[p] != labels[a]:
                continue
            for q in range(n):
                if labels[q] == labels[a]:
                    continue
                total += 1
                loss = max(0.0, d(a, p) - d(a, q) + margin)
                active += loss > 0
                if d(a, p) < d(a, q) <= d(a, p) + margin:
                    mined.add((a, p, q))
                    if loss > 0:
                        losses.append(loss)
    mean = sum(losses) / len(losses) if losses else None
    return mined, mean, total, active


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("margin", [0.2, 0.5])
def test_mined_triplets_and_loss_equal_the_loop_over_all_triplets(seed: int, margin: float) -> None:
    torch.manual_seed(seed)
    labels = torch.randint(0, 4, (14,))
    # Few dimensions so that distances spread and many triplets fall in the semi-hard band.
    embeddings = torch.randn(14, 3, dtype=torch.float64)
    criterion = SemiHardTripletLoss(margin=margin)

    anchors, positives, negatives = criterion.mine(embeddings, labels)
    loss, stats = criterion(embeddings, labels)
    mined, expected_loss, total, active = _loop_oracle(embeddings, labels.tolist(), margin)

    got = set(zip(anchors.tolist(), positives.tolist(), negatives.tolist()))
    assert got == mined
    assert stats.mined == len(mined)
    assert (stats.total, stats.active) == (total, active)
    if expected_loss is None:
        assert loss is None and stats.skipped
    else:
        assert loss is not None and not stats.skipped
        assert loss.item() == pytest.approx(expected_loss, rel=1e-9, abs=1e-12)


def test_a_batch_without_semi_hard_triplets_gives_no_loss_and_is_recorded() -> None:
    # Two tight, far-apart clusters: every negative is beyond d(a,p) + margin (an easy batch).
    labels = torch.tensor([0, 0, 0, 1, 1, 1])
    embeddings = torch.tensor(
        [[1.0, 0.0], [1.0, 0.01], [1.0, -0.01], [-1.0, 0.0], [-1.0, 0.01], [-1.0, -0.01]]
    )
    loss, stats = SemiHardTripletLoss(margin=0.2)(embeddings, labels)
    assert loss is None
    assert stats.skipped and stats.mined == 0
    assert stats.total == 36 and stats.active_share == 0.0


def test_loss_is_differentiable_and_scale_invariant() -> None:
    torch.manual_seed(1)
    labels = torch.tensor([0, 0, 1, 1, 2, 2, 3, 3])
    embeddings = torch.randn(8, 4, requires_grad=True)
    criterion = SemiHardTripletLoss(margin=0.5)
    loss, _ = criterion(embeddings, labels)
    scaled, _ = criterion(embeddings.detach() * 7.0, labels)
    assert loss is not None and scaled is not None
    assert scaled.item() == pytest.approx(loss.item(), rel=1e-5)
    loss.backward()
    assert embeddings.grad is not None and torch.isfinite(embeddings.grad).all()
    assert embeddings.grad.abs().sum() > 0
