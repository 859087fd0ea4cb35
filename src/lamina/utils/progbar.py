"""The Keras 3 progress bar: `12/50 ━━━━━━━━━━━━━━━━━━━━ 3s 61ms/step - loss: 0.4213`."""

from __future__ import annotations

import logging
import math
import sys
import time

import numpy as np

from lamina import config as _config

# Where output goes when `lamina.config.disable_interactive_logging()` is in force.
_LOGGER = logging.getLogger("lamina")


def _print_line(message: str) -> None:
    """Print `message`, or log it to the "lamina" logger (INFO) when interactive logging is off."""
    if _config.is_interactive_logging_enabled():
        print(message)
    else:
        _LOGGER.info(message)


_BAR = "━"
_BOLD, _GREEN, _GREY, _RESET = "\x1b[1m", "\x1b[32m", "\x1b[37m", "\x1b[0m"


def _format_value(value) -> str:
    # A metric with one value per class (F1Score(average=None)) shows their mean, as in Keras.
    value = float(np.mean(value)) if getattr(value, "ndim", 0) else float(value)
    if abs(value) > 1e-3:
        return f"{value:.4f}"
    return f"{value:.4e}"


def _format_time(seconds: float) -> str:
    if seconds > 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds > 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{int(seconds)}s"


def _format_step_time(seconds: float) -> str:
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


class Progbar:
    """A progress bar for `target` steps (None when unknown), in the layout Keras 3 prints.

    verbose=1 draws `step/target`, the bar, the ETA (the elapsed time once done), the
    time per step and the running metrics; on a terminal it redraws in place (with
    Keras's colors), elsewhere (logs, pipes) it prints the finished line only.
    verbose=2 prints one line when done: `step/target - 2s - 9ms/step - loss: ...`.
    After `lamina.config.disable_interactive_logging()`, a bar without its own
    `stream` sends the finished line to the "lamina" logger (level INFO) instead.

    Args:
        target: the number of steps, or None.
        width: the bar's width in characters.
        verbose: 1 or 2, as above; 0 prints nothing.
        interval: the minimum seconds between redraws.
        stream: where to write (default `sys.stdout`, or `logging` when
            interactive logging is disabled).

    Example:
        >>> bar = lamina.utils.Progbar(10)
        >>> for step in range(10):
        ...     bar.update(step + 1, {"loss": 0.5})
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
        self._own_stream = stream is not None
        self.stream = stream or sys.stdout
        self._start = time.monotonic()
        self._after_first_step = None
        self._last_draw = 0.0
        self._values: dict = {}
        self._dynamic = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last_length = 0

    def update(self, current: int, values=None, finalize: bool | None = None) -> None:
        items = values.items() if isinstance(values, dict) else (values or [])
        for name, value in items:
            self._values[name] = value
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        now = time.monotonic()
        if current == 1 and self._after_first_step is None:
            self._after_first_step = now
        if self.verbose in (1, 2) and not self._own_stream:
            if not _config.is_interactive_logging_enabled():
                if finalize:
                    _LOGGER.info(self._final_line(current, now))
                return
        if self.verbose == 1:
            if not finalize and now - self._last_draw < self.interval:
                return
            self._last_draw = now
            if self._dynamic:
                line, visible = self._bar(current, now, finalize, color=True)
                pad = " " * max(0, self._last_length - visible)
                self.stream.write("\r" + line + pad)
                self._last_length = visible
            elif finalize:
                self.stream.write(self._bar(current, now, finalize, color=False)[0])
            if finalize:
                self.stream.write("\n")
            self.stream.flush()
        elif self.verbose == 2 and finalize:
            self.stream.write(self._final_line(current, now) + "\n")
            self.stream.flush()

    def _final_line(self, current: int, now: float) -> str:
        if self.verbose == 1:
            return self._bar(current, now, True, color=False)[0]
        return (
            f"{self._count(current)} - {now - self._start:.0f}s - "
            f"{_format_step_time(self._step_time(current, now))}{self._metrics()}"
        )

    def _count(self, current: int) -> str:
        if self.target:
            digits = int(math.log10(self.target)) + 1
            return f"{current:{digits}d}/{self.target}"
        return f"{current:7d}/Unknown"

    def _step_time(self, current: int, now: float) -> float:
        # The first step includes compilation: leave it out once there are others.
        if self._after_first_step is not None and current > 1:
            return (now - self._after_first_step) / (current - 1)
        return (now - self._start) / max(current, 1)

    def _bar(self, current: int, now: float, finalize: bool, color: bool) -> tuple[str, int]:
        """The line, and its visible length (without color codes)."""
        count = self._count(current)
        plain = count
        styled = f"{_BOLD}{count}{_RESET}" if color else count
        if self.target:
            done = min(int(self.width * current / self.target), self.width)
            bar_done, bar_todo = _BAR * done, _BAR * (self.width - done)
            plain += f" {bar_done}{bar_todo}"
            if color:
                styled += " " + (f"{_GREEN}{bar_done}{_RESET}" if done else "")
                styled += f"{_GREY}{bar_todo}{_RESET}"
            else:
                styled += f" {bar_done}{bar_todo}"
        step_time = self._step_time(current, now)
        if self.target and not finalize:
            clock = _format_time(step_time * (self.target - current))  # the ETA
        else:
            clock = f"{now - self._start:.0f}s"
        tail = f" {_format_step_time(step_time)}{self._metrics()}"
        plain += f" {clock}{tail}"
        styled += (f" {_BOLD}{clock}{_RESET}" if color else f" {clock}") + tail
        return styled, len(plain)

    def _metrics(self) -> str:
        return "".join(
            f" - {name}: {_format_value(value)}" for name, value in self._values.items()
        )
