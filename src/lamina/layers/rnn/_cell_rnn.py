"""The shared face of LSTM, GRU and SimpleRNN: an RNN whose arguments are its cell's."""

from __future__ import annotations

from lamina import regularizers
from lamina.layers.input_spec import InputSpec
from lamina.layers.rnn.rnn import RNN

# Config keys that belong to the cell object, not to the layer's arguments.
_CELL_ONLY_KEYS = ("name", "trainable", "dtype", "batch_input_shape")


def _forward_to_cell(name: str) -> property:
    return property(lambda self: getattr(self.cell, name), doc=f"The cell's `{name}`.")


class CellRNN(RNN):
    """An RNN over a built-in cell, configured by the cell's arguments (flat config, as Keras)."""

    _config_skips: tuple = ()

    def __init__(self, cell, *, activity_regularizer=None, **kwargs):
        super().__init__(cell, activity_regularizer=activity_regularizer, **kwargs)
        self.input_spec = InputSpec(ndim=3)

    @staticmethod
    def _cell_base_kwargs(kwargs: dict, name: str) -> dict:
        """The dtype and trainable flag the layer shares with its cell."""
        return {
            "dtype": kwargs.get("dtype"),
            "trainable": kwargs.get("trainable", True),
            "name": name,
        }

    def get_config(self) -> dict:
        config = super().get_config()
        del config["cell"]
        cell_config = {
            key: value
            for key, value in self.cell.get_config().items()
            if key not in _CELL_ONLY_KEYS and key not in self._config_skips
        }
        config.update(cell_config)
        config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None) -> CellRNN:
        return cls(**config)

    units = _forward_to_cell("units")
    activation = _forward_to_cell("activation")
    use_bias = _forward_to_cell("use_bias")
    kernel_initializer = _forward_to_cell("kernel_initializer")
    recurrent_initializer = _forward_to_cell("recurrent_initializer")
    bias_initializer = _forward_to_cell("bias_initializer")
    kernel_regularizer = _forward_to_cell("kernel_regularizer")
    recurrent_regularizer = _forward_to_cell("recurrent_regularizer")
    bias_regularizer = _forward_to_cell("bias_regularizer")
    kernel_constraint = _forward_to_cell("kernel_constraint")
    recurrent_constraint = _forward_to_cell("recurrent_constraint")
    bias_constraint = _forward_to_cell("bias_constraint")
    dropout = _forward_to_cell("dropout")
    recurrent_dropout = _forward_to_cell("recurrent_dropout")
