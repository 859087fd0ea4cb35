"""Latency of eager `model(x)` calls on the benchmark's MLP and CNN.

    LAMINA_BACKEND=pytensor python bench/eager_call.py [--repeats 50]

Prints, per model and batch size, the first call (eager), the second call
(which compiles the whole call on engines that compile eager calls) and the
median of later calls. Run it with the thread count pinned (bench/run.py pins
1 thread) to compare engines or commits.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("LAMINA_QUIET", "1")

from worker import keras_like_model  # noqa: E402


def _median_us(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times) * 1e6)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    import lamina

    print(f"engine: {lamina.backend.backend()}")
    print(f"{'model':<6}{'batch':>6}{'1st call ms':>13}{'2nd call ms':>13}{'later us':>11}")
    for workload in ("mlp", "cnn"):
        model = keras_like_model(lamina, workload)
        for batch in (1, 128):
            shape = (batch, 784) if workload == "mlp" else (batch, 28, 28, 1)
            x = np.random.default_rng(0).random(shape, dtype=np.float32)
            call = functools.partial(model, x)
            first = _median_us(call, 1) / 1e3
            second = _median_us(call, 1) / 1e3
            later = _median_us(call, args.repeats)
            print(f"{workload:<6}{batch:>6}{first:>13.1f}{second:>13.1f}{later:>11.0f}")


if __name__ == "__main__":
    main()
