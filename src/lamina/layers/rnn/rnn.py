"""RNN: runs a recurrent cell over the time axis of a sequence."""

from __future__ import annotations

import numpy as np

from lamina import ops
from lamina.backend._variable import Variable
from lamina.layers._masking import time_mask
from lamina.layers.input_spec import InputShapeError, InputSpec
from lamina.layers.layer import Layer
from lamina.layers.rnn._dropout import DropoutMasks
from lamina.layers.rnn._serialization import deserialize_layer, serialize_layer
from lamina.layers.rnn.stacked_rnn_cells import StackedRNNCells
from lamina.utils import _tree


def _as_list(states) -> list:
    return list(states) if isinstance(states, (list, tuple)) else [states]


class RNN(Layer):
    """Base class of recurrent layers: applies `cell` to each time step in turn.

    The time loop is `lamina.ops.scan`, so it compiles inside the trainer's
    step on every engine whatever the sequence length.

    Args:
        cell: a cell layer with `call(inputs, states) -> (output, new_states)`
            and a `state_size` attribute (an int or a list of ints), such as
            `LSTMCell`, `GRUCell` or `SimpleRNNCell`; or a list of cells,
            stacked as `StackedRNNCells`.
        return_sequences: return the output of every step,
            `(batch, timesteps, units)`, instead of the last, `(batch, units)`.
        return_state: also return the final states, after the output.
        go_backwards: process the sequence from its end; the returned
            sequence is then in processing (reversed) order, as in Keras.
        stateful: carry the final states of each batch into the next call,
            sample `i` of a batch continuing sample `i` of the previous one.
            The batch size must then be fixed: give it to the input
            (`Input(shape, batch_size=n)` or `batch_input_shape`). The
            states live in `states`, outside the weights (they are not
            saved); `reset_state()` zeroes them. They carry through `fit`,
            `evaluate`, `predict` and direct calls on every engine.
        unroll: accepted for compatibility; the loop is never unrolled.
        zero_output_for_mask: with `return_sequences` and a mask, output
            zeros at masked steps instead of repeating the previous output.

    Call arguments:
        sequences: a tensor `(batch, timesteps, features)`.
        initial_state: a tensor or list of tensors, one per cell state.
        mask: a boolean `(batch, timesteps)` tensor; False steps are
            skipped (the states carry over). Set automatically by a preceding
            `Embedding(mask_zero=True)` or `Masking` layer.
        training: whether dropout in the cell is active.

    Example:
        >>> layer = lamina.layers.RNN(lamina.layers.LSTMCell(8), return_sequences=True)
        >>> layer(np.zeros((2, 5, 3), "float32")).shape
        (2, 5, 8)
    """

    def __init__(
        self,
        cell,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        zero_output_for_mask: bool = False,
        **kwargs,
    ):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if isinstance(cell, dict):
            cell = deserialize_layer(cell)
        if not callable(getattr(cell, "call", None)):
            raise ValueError(f"RNN's `cell` must have a `call` method; got cell={cell!r}.")
        state_size = getattr(cell, "state_size", None)
        if not isinstance(state_size, (int, list, tuple)):
            raise ValueError(
                "RNN's cell must have a `state_size` attribute: an int or a list of ints, "
                f"one per state; got state_size={state_size!r} on {cell!r}."
            )
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        # The state variables, shaped as `get_initial_state` (built when stateful).
        self._states = None
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.single_state = isinstance(state_size, int)
        self.state_size = [state_size] if self.single_state else list(state_size)
        self.input_spec = InputSpec(min_ndim=3)

    @property
    def _output_size(self) -> int:
        size = getattr(self.cell, "output_size", None)
        return self.state_size[0] if size is None else size

    # ------------------------------------------------------------------ shapes
    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch, length = sequences_shape[0], sequences_shape[1]
        if self.return_sequences:
            output_shape = (batch, length, self._output_size)
        else:
            output_shape = (batch, self._output_size)
        if self.return_state:
            states = [_tree.map_structure(lambda s: (batch, s), size) for size in self.state_size]
            return (output_shape, *states)
        return output_shape

    def build(self, sequences_shape, initial_state_shape=None) -> None:
        sequences_shape = tuple(sequences_shape)
        if len(sequences_shape) < 3:
            raise InputShapeError(
                f"Input to layer {self.name!r} ({type(self).__name__}) has shape "
                f"{sequences_shape}: expected rank 3, (batch, timesteps, features). "
                "Add a time axis, e.g. x[:, None, :] for one step per sample."
            )
        step_shape = (sequences_shape[0], *sequences_shape[2:])
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build(step_shape)
            self.cell.built = True
        spec = self.input_spec
        self.input_spec = InputSpec(
            ndim=spec.ndim if spec is not None else None,
            min_ndim=None if spec is not None and spec.ndim else 3,
            axes={-1: sequences_shape[-1]} if sequences_shape[-1] is not None else None,
        )
        if self.stateful:
            if self._states is None:
                self._create_states(sequences_shape)
            else:
                self.reset_state()
        self.built = True

    def _create_states(self, sequences_shape) -> None:
        batch = sequences_shape[0]
        if batch is None:
            raise ValueError(
                f"Layer {self.name!r} ({type(self).__name__}) has stateful=True, which needs a "
                f"fixed batch size; the input has shape {tuple(sequences_shape)}, with no batch "
                "size. Give the model its batch size: Input(shape, batch_size=n), or "
                "batch_input_shape=(n, timesteps, features) on the first layer."
            )
        dtype = getattr(self.cell, "compute_dtype", self.compute_dtype)
        states = [
            _tree.map_structure(
                lambda size: Variable(
                    np.zeros((int(batch), int(size)), dtype=dtype),
                    trainable=False,
                    name=f"{self.name}_state",
                ),
                size,
            )
            for size in self.state_size
        ]
        # Call state, not weights: set past the attribute tracking, which would
        # make them non-trainable weights.
        object.__setattr__(self, "_states", states)
        self._call_state_variables.extend(_tree.flatten(states))

    # ------------------------------------------------------------------ states
    def get_initial_state(self, batch_size) -> list:
        """Zero states `(batch_size, size)` for each of the cell's states."""
        make = getattr(self.cell, "get_initial_state", None)
        if make is not None:
            return _as_list(make(batch_size=batch_size))
        return [
            _tree.map_structure(
                lambda size: ops.zeros((batch_size, size), dtype=self.compute_dtype), size
            )
            for size in self.state_size
        ]

    @property
    def states(self):
        """The state variables of a stateful layer (None otherwise), one entry per cell state."""
        return self._states

    def reset_state(self) -> None:
        """Zero the states of a stateful layer; a layer that is not stateful has none."""
        for variable in _tree.flatten(self._states or []):
            variable.assign(np.zeros(variable.shape, dtype=variable.dtype))

    def reset_states(self) -> None:
        self.reset_state()

    # ------------------------------------------------------------------ calling
    def call(self, sequences, initial_state=None, mask=None, training=False):
        mask = time_mask(mask)
        if self._states is not None:
            self._check_stateful_batch(sequences)
        if initial_state is None and self._states is not None:
            states = [_tree.map_structure(lambda v: v.value, s) for s in self._states]
        elif initial_state is None:
            states = self.get_initial_state(ops.shape(sequences)[0])
        else:
            states = _as_list(initial_state)
            if len(states) != len(self.state_size):
                raise ValueError(
                    f"Layer {self.name!r} expects {len(self.state_size)} initial state "
                    f"tensor(s) of sizes {self.state_size}; got {len(states)}."
                )
        dtype = getattr(self.cell, "compute_dtype", self.compute_dtype)
        states = [
            _tree.map_structure(lambda t: ops.cast(ops.convert_to_tensor(t), dtype), s)
            for s in states
        ]

        # Draw dropout masks before the loop, for the whole call.
        cells = self._dropout_cells(sequences[:, 0], states) if training else []
        for cell, step_input, cell_states in cells:
            cell.get_dropout_mask(step_input)
            cell.get_recurrent_dropout_mask(_tree.flatten(cell_states)[0])
        try:
            last_output, outputs, final_states = self._loop(sequences, states, training, mask)
        finally:
            for cell in self._all_cells():
                if isinstance(cell, DropoutMasks):
                    cell.reset_dropout_masks()

        if self._states is not None:
            for variable, value in zip(_tree.flatten(self._states), _tree.flatten(final_states)):
                variable.assign(value)
        output = outputs if self.return_sequences else last_output
        if self.return_state:
            return (output, *final_states)
        return output

    def _check_stateful_batch(self, sequences) -> None:
        batch = ops.shape(sequences)[0]
        expected = _tree.flatten(self._states)[0].shape[0]
        if isinstance(batch, int) and batch != expected:
            raise ValueError(
                f"Layer {self.name!r} ({type(self).__name__}) is stateful with batch size "
                f"{expected}, but got a batch of {batch} (input shape "
                f"{tuple(ops.shape(sequences))}). Each call continues the previous batch "
                f"sample by sample, so every batch must hold {expected} samples: pass "
                f"batch_size={expected} and a number of samples that is a multiple of it."
            )

    def _all_cells(self) -> list:
        return list(self.cell.cells) if isinstance(self.cell, StackedRNNCells) else [self.cell]

    def _dropout_cells(self, step_input, states) -> list:
        """`(cell, its step input, its states)` for each cell that draws dropout masks."""
        if isinstance(self.cell, StackedRNNCells):
            pairs = zip(self.cell.cells, self.cell._stack_input_templates(step_input), states)
        else:
            pairs = [(self.cell, step_input, states)]
        return [p for p in pairs if isinstance(p[0], DropoutMasks)]

    def _loop(self, sequences, states, training, mask=None):
        """Scan the cell over time; returns `(last_output, outputs, final_states)`."""
        cell_kwargs = (
            {"training": training} if getattr(self.cell, "_call_has_training", False) else {}
        )

        def step(carry, x):
            output, new_states = self.cell.call(x, list(carry), **cell_kwargs)
            return _as_list(new_states), output

        # scan loops over axis 0: make the sequence time-major.
        rank = len(ops.shape(sequences))
        xs = ops.transpose(sequences, (1, 0, *range(2, rank)))
        if mask is not None:
            masks = ops.transpose(mask, (1, 0))
            if self.go_backwards:
                xs, masks = ops.flip(xs, axis=0), ops.flip(masks, axis=0)
            return self._masked_loop(xs, masks, states, cell_kwargs)
        if self.go_backwards:
            xs = ops.flip(xs, axis=0)
        final_states, ys = ops.scan(step, list(states), xs)
        outputs = ops.transpose(ys, (1, 0, *range(2, len(ops.shape(ys)))))
        return ys[-1], outputs, list(final_states)

    def _masked_loop(self, xs, masks, states, cell_kwargs):
        """The time loop with a `(timesteps, batch)` mask: masked steps change nothing.

        At a masked step the states carry over unchanged and the step's output
        repeats the previous one (zeros with `zero_output_for_mask`), as in Keras.
        """
        count = len(states)
        batch = ops.shape(xs)[1]
        previous = ops.zeros((batch, self._output_size), dtype=_tree.flatten(states)[0].dtype)

        def step(carry, inputs):
            x, keep = inputs
            old_states, old_output = list(carry[:count]), carry[count]
            output, new_states = self.cell.call(x, old_states, **cell_kwargs)
            keep = ops.expand_dims(keep, -1)
            new_states = [
                _tree.map_structure(lambda n, o: ops.where(keep, n, o), n, o)
                for n, o in zip(_as_list(new_states), old_states)
            ]
            output = ops.where(keep, output, old_output)
            y = (
                ops.where(keep, output, ops.zeros_like(output))
                if self.zero_output_for_mask
                else output
            )
            return [*new_states, output], y

        carry, ys = ops.scan(step, [*states, previous], (xs, masks))
        outputs = ops.transpose(ys, (1, 0, *range(2, len(ops.shape(ys)))))
        return ys[-1], outputs, list(carry[:count])

    def compute_mask(self, inputs, mask=None):
        mask = time_mask(mask)
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask, *([None] * len(self.state_size))]
        return output_mask

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        config = {
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
            "cell": serialize_layer(self.cell),
        }
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None) -> RNN:
        config = dict(config)
        cell = deserialize_layer(config.pop("cell"), custom_objects=custom_objects)
        return cls(cell, **config)
