"""Shared logic of callbacks that watch one logged value."""

from __future__ import annotations

import math
import warnings


def comparison(mode: str, monitor: str, min_delta: float = 0.0):
    """A function `improved(current, best)` for `mode` "min", "max" or "auto"."""
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max'; got {mode!r}.")
    if mode == "auto":
        mode = (
            "max"
            if any(k in monitor for k in ("acc", "auc", "precision", "recall"))
            and "loss" not in monitor
            else "min"
        )
    delta = abs(min_delta)
    if mode == "min":
        return mode, (lambda current, best: current < best - delta), math.inf
    return mode, (lambda current, best: current > best + delta), -math.inf


def get_monitor_value(logs: dict | None, monitor: str, owner: str):
    value = (logs or {}).get(monitor)
    if value is None:
        warnings.warn(
            f"{owner} watches {monitor!r}, which is not in the logs (available: "
            f"{sorted(logs or {})}). Pass monitor= one of those.",
            RuntimeWarning,
            stacklevel=3,
        )
    return value
