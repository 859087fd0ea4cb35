"""The Keras progress bar: `12/50 [=====>........] - ETA: 3s - loss: 0.4213`."""

from __future__ import annotations

import math
import sys
import time


def _format_value(value) -> str:
    value = float(value)
    if value != 0 and (abs(value) >= 1e4 or abs(value) < 1e-3):
        return f"{value:.4e}"
    return f"{value:.4f}"


def _format_time(seconds: float) -> str:
    if seconds >= 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds >= 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{int(round(seconds))}s"


def _format_step_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


class Progbar:
    """A progress bar for `target` steps (None when unknown).

    Args:
        target: the number of steps, or None.
        width: the bar's width in characters.
        verbose: 1 draws the bar as it goes; 2 prints one line at the end.
        interval: the minimum seconds between redraws.
    """

    def __init__(
        self,
        target: int | None,
        width: int = 20,
        verbose: int = 1,
        interval: float = 0.05,
        stream=None,
    ):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.stream = stream or sys.stdout
        self._start = time.monotonic()
        self._last_draw = 0.0
        self._values: dict = {}
        self._dynamic = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last_length = 0

    def update(self, current: int, values=None, finalize: bool | None = None) -> None:
        for name, value in (values or {}).items() if isinstance(values, dict) else (values or []):
            self._values[name] = value
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        now = time.monotonic()
        if self.verbose == 1:
            if not finalize and now - self._last_draw < self.interval:
                return
            self._last_draw = now
            line = self._bar(current, now, finalize)
            if self._dynamic:
                pad = " " * max(0, self._last_length - len(line))
                self.stream.write("\r" + line + pad)
            elif finalize:
                self.stream.write(line)
            self._last_length = len(line)
            if finalize:
                self.stream.write("\n")
            self.stream.flush()
        elif self.verbose == 2 and finalize:
            elapsed = now - self._start
            step = _format_step_time(elapsed / max(current, 1))
            self.stream.write(
                f"{current}/{self.target} - {_format_time(elapsed)} - {step}{self._metrics()}\n"
            )
            self.stream.flush()

    def _bar(self, current: int, now: float, finalize: bool) -> str:
        elapsed = now - self._start
        if self.target is not None:
            digits = int(math.log10(self.target)) + 1 if self.target > 0 else 1
            done = int(self.width * current / self.target) if self.target else self.width
            arrow = (
                "=" * max(done - 1, 0) + (">" if current < self.target else "=") if done else ""
            )
            bar = f"{current:{digits}d}/{self.target} [{arrow}{'.' * (self.width - len(arrow))}]"
        else:
            bar = f"{current}/Unknown"
        per_step = elapsed / max(current, 1)
        if finalize:
            timing = f" {_format_time(elapsed)} {_format_step_time(per_step)}"
        elif self.target is not None:
            timing = f" - ETA: {_format_time(per_step * (self.target - current))}"
        else:
            timing = f" {_format_time(elapsed)}"
        return bar + timing + self._metrics()

    def _metrics(self) -> str:
        return "".join(
            f" - {name}: {_format_value(value)}" for name, value in self._values.items()
        )
