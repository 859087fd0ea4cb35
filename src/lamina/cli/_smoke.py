"""The doctor's smoke test: a tiny model trained for a few steps with lamina.ops.

Logistic regression on a fixed synthetic dataset, full-batch gradient descent.
It touches what every training step needs (tensors, matmul, a cross-entropy,
`value_and_grad`, the engine's compiler) and is fully deterministic, so the
final losses of different engines can be compared.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

STEPS = 20
LEARNING_RATE = 1.0
# The test passes when the loss falls by more than this fraction.
REQUIRED_DECREASE = 0.5


@dataclass(frozen=True)
class SmokeResult:
    losses: list[float]  # before the first step, then after each step
    seconds: float

    @property
    def initial_loss(self) -> float:
        return self.losses[0]

    @property
    def final_loss(self) -> float:
        return self.losses[-1]

    @property
    def decrease(self) -> float:
        return 1.0 - self.final_loss / self.initial_loss

    @property
    def passed(self) -> bool:
        return all(math.isfinite(v) for v in self.losses) and self.decrease > REQUIRED_DECREASE

    def summary(self) -> str:
        return (
            f"loss {self.initial_loss:.4f} -> {self.final_loss:.4f} "
            f"({-100 * self.decrease:+.0f}%) in {len(self.losses) - 1} steps, {self.seconds:.1f} s"
        )


def dataset() -> tuple[np.ndarray, np.ndarray]:
    """256 points in 4 dimensions, labelled by a fixed hyperplane."""
    rng = np.random.RandomState(0)
    x = rng.normal(size=(256, 4)).astype("float32")
    w_true = np.array([[1.5], [-2.0], [0.5], [1.0]], dtype="float32")
    y = ((x @ w_true + 0.25) > 0).astype("float32")
    return x, y


def run(steps: int = STEPS) -> SmokeResult:
    """Train the model on the selected engine; return the loss curve."""
    from lamina import ops
    from lamina.ops import functional

    x_np, y_np = dataset()
    x = ops.convert_to_tensor(x_np, dtype="float32")
    y = ops.convert_to_tensor(y_np, dtype="float32")
    params = [ops.zeros((4, 1), dtype="float32"), ops.zeros((1,), dtype="float32")]

    def loss_fn(params, x, y):
        w, b = params
        logits = ops.add(ops.matmul(x, w), b)
        return ops.mean(ops.binary_crossentropy(y, logits, from_logits=True))

    loss_and_grads = functional.value_and_grad(loss_fn)

    def step(params, x, y):
        loss, grads = loss_and_grads(params, x, y)
        new_params = [
            ops.subtract(p, ops.multiply(g, LEARNING_RATE))
            for p, g in zip(params, grads, strict=True)
        ]
        return loss, new_params

    step = functional.compile(step)
    start = time.perf_counter()
    losses = []
    for _ in range(steps):
        loss, params = step(params, x, y)
        losses.append(float(ops.convert_to_numpy(loss)))
    losses.append(float(ops.convert_to_numpy(loss_fn(params, x, y))))
    return SmokeResult(losses, time.perf_counter() - start)
