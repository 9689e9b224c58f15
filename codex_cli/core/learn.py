"""A small logistic regression (pure Python): the link ranker's weights, learnt from a vault's own links.

A handful of features and a few thousand rows: Newton's method (iteratively
reweighted least squares) with an L2 penalty converges in a few steps and
needs nothing beyond the standard library.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

L2 = 1.0  # penalty on the weights (not the intercept): keeps rare features from running away
STEPS = 25


def fit(rows: Sequence[Sequence[float]], labels: Sequence[int], l2: float = L2, prior: Sequence[float] | None = None) -> list[float]:
    """Weights [intercept, w1, ..., wn] maximising the log-likelihood, penalised by the distance to `prior`.

    The penalty pulls every weight but the intercept towards the prior's
    (zero by default): with few linked notes to learn from, the answer stays
    near the prior; with many, the vault's own links decide.
    """
    if not rows:
        return []
    n = len(rows[0]) + 1
    xs = [(1.0, *r) for r in rows]
    centre = list(prior) if prior is not None else [0.0] * n
    w = centre[:]
    for _ in range(STEPS):
        grad = [0.0] * n
        hess = [[0.0] * n for _ in range(n)]
        for x, y in zip(xs, labels, strict=True):
            z = sum(a * b for a, b in zip(w, x, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            g = y - p
            s = p * (1.0 - p)
            for i in range(n):
                if x[i] == 0.0:
                    continue
                grad[i] += g * x[i]
                sx = s * x[i]
                row = hess[i]
                for j in range(i, n):
                    if x[j] != 0.0:
                        row[j] += sx * x[j]
        for i in range(n):
            for j in range(i):
                hess[i][j] = hess[j][i]
        for i in range(1, n):
            grad[i] -= l2 * (w[i] - centre[i])
            hess[i][i] += l2
        hess[0][0] += 1e-6
        step = _solve(hess, grad)
        w = [a + b for a, b in zip(w, step, strict=True)]
        if max(abs(s) for s in step) < 1e-6:
            break
    return w


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """x with a·x = b (Gaussian elimination with partial pivoting; a is small and positive definite)."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        if abs(m[pivot][col]) < 1e-12:
            continue
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(col + 1, n):
            f = m[r][col] / m[col][col]
            if f:
                for c in range(col, n + 1):
                    m[r][c] -= f * m[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        if abs(m[r][r]) < 1e-12:
            continue
        x[r] = (m[r][n] - sum(m[r][c] * x[c] for c in range(r + 1, n))) / m[r][r]
    return x
