"""StackedRNNCells: several recurrent cells that act as one, each feeding the next."""

from __future__ import annotations

from lamina import ops
from lamina.layers.layer import Layer
from lamina.layers.rnn._serialization import deserialize_layer, serialize_layer


def _cell_output_size(cell) -> int:
    size = getattr(cell, "output_size", None)
    if size is not None:
        return size
    state_size = cell.state_size
    return state_size[0] if isinstance(state_size, (list, tuple)) else state_size


class StackedRNNCells(Layer):
    """A stack of recurrent cells used as one cell: at each time step the
    first cell reads the input, each next cell reads the output of the one
    before, and the step's output is the last cell's.

    The states are a list with one entry per cell: a tensor for a cell with
    one state, a list for a cell with several (LSTMCell's `[h, c]`). A
    `RNN` given a list of cells stacks them this way.

    Args:
        cells: the cells, bottom first; each has `call(inputs, states)` and a
            `state_size`.

    Example:
        >>> cells = [lamina.layers.LSTMCell(16), lamina.layers.GRUCell(8)]
        >>> layer = lamina.layers.RNN(lamina.layers.StackedRNNCells(cells))
        >>> layer(np.zeros((2, 5, 3), "float32")).shape
        (2, 8)
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        cells = list(cells)
        if not cells:
            raise ValueError("StackedRNNCells needs at least one cell; got an empty list.")
        for cell in cells:
            if not callable(getattr(cell, "call", None)):
                raise ValueError(
                    f"Every cell of StackedRNNCells must have a `call` method; got {cell!r}."
                )
            if not isinstance(getattr(cell, "state_size", None), (int, list, tuple)):
                raise ValueError(
                    "Every cell of StackedRNNCells must have a `state_size` (an int or a list "
                    f"of ints); got {cell!r}."
                )
        self.cells = cells

    @property
    def state_size(self) -> list:
        return [cell.state_size for cell in self.cells]

    @property
    def output_size(self) -> int:
        return _cell_output_size(self.cells[-1])

    def get_initial_state(self, batch_size=None) -> list:
        states = []
        for cell in self.cells:
            make = getattr(cell, "get_initial_state", None)
            if make is not None:
                initial = make(batch_size=batch_size)
                if isinstance(cell.state_size, int) and isinstance(initial, (list, tuple)):
                    initial = initial[0]
                states.append(initial)
            elif isinstance(cell.state_size, int):
                states.append(ops.zeros((batch_size, cell.state_size), dtype=self.compute_dtype))
            else:
                states.append(
                    [ops.zeros((batch_size, d), dtype=self.compute_dtype) for d in cell.state_size]
                )
        return states

    def build(self, input_shape) -> None:
        shape = tuple(input_shape)
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell.build(shape)
                cell.built = True
            shape = (shape[0], _cell_output_size(cell))
        self.built = True

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, cell_states in zip(self.cells, states, strict=True):
            single = not isinstance(cell_states, (list, tuple))
            kwargs = {"training": training} if getattr(cell, "_call_has_training", False) else {}
            inputs, cell_new = cell.call(
                inputs, [cell_states] if single else list(cell_states), **kwargs
            )
            if single and isinstance(cell_new, (list, tuple)) and len(cell_new) == 1:
                cell_new = cell_new[0]
            new_states.append(cell_new)
        return inputs, new_states

    def _stack_input_templates(self, step_input) -> list:
        """Each cell's step input (for drawing its dropout mask): the input, then zeros
        shaped like the output of the cell below."""
        batch = ops.shape(step_input)[0]
        templates = [step_input]
        for cell in self.cells[:-1]:
            templates.append(ops.zeros((batch, _cell_output_size(cell)), dtype=step_input.dtype))
        return templates

    def get_config(self) -> dict:
        config = super().get_config()
        config["cells"] = [serialize_layer(cell) for cell in self.cells]
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cells = [deserialize_layer(c, custom_objects=custom_objects) for c in config.pop("cells")]
        return cls(cells, **config)
