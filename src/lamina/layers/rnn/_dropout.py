"""Dropout masks shared by all time steps of one recurrent call."""

from __future__ import annotations

from lamina import ops
from lamina import random as lamina_random


class DropoutMasks:
    """Mixin for cells with `dropout`, `recurrent_dropout` and a `seed_generator`.

    A recurrent layer drops the same units at every time step, so the masks
    are drawn once per call, before the time loop, and cached on the cell
    until `reset_dropout_masks()`. Drawing them outside the loop also keeps
    the loop body free of random ops, which both engines compile more simply.
    """

    _dropout_mask = None
    _recurrent_dropout_mask = None

    def _draw_mask(self, like, rate: float):
        return lamina_random.dropout(ops.ones_like(like), rate=rate, seed=self.seed_generator)

    def get_dropout_mask(self, step_input):
        """The input mask of this call (drawn on first use); None without input dropout."""
        if self._dropout_mask is None and 0.0 < self.dropout < 1.0:
            self._dropout_mask = self._draw_mask(step_input, self.dropout)
        return self._dropout_mask

    def get_recurrent_dropout_mask(self, state):
        """The recurrent-state mask of this call; None without recurrent dropout."""
        if self._recurrent_dropout_mask is None and 0.0 < self.recurrent_dropout < 1.0:
            self._recurrent_dropout_mask = self._draw_mask(state, self.recurrent_dropout)
        return self._recurrent_dropout_mask

    def reset_dropout_masks(self) -> None:
        """Forget the cached masks, so the next call draws new ones."""
        self._dropout_mask = None
        self._recurrent_dropout_mask = None
