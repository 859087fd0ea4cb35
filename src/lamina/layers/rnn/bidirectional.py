"""Bidirectional: runs a recurrent layer forwards and backwards and merges the results."""

from __future__ import annotations

from lamina import ops
from lamina.layers._masking import time_mask
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.layers.rnn._serialization import deserialize_layer, serialize_layer

_MERGE_MODES = ("concat", "sum", "mul", "ave", None)


def _copy_layer(layer: Layer, **overrides) -> Layer:
    """A fresh, unbuilt layer with `layer`'s config and `overrides` (as Keras, no shared weights)."""
    config = {**layer.get_config(), **overrides}
    return type(layer).from_config(config)


def _prefixed(prefix: str, name: str) -> str:
    return prefix + name[len(prefix) :] if name.startswith(prefix) else prefix + name


class Bidirectional(Layer):
    """Bidirectional wrapper for RNNs: one copy reads the sequence forwards, one backwards.

    Weights are the forward layer's, then the backward layer's, as in Keras 3.
    With `return_sequences`, the backward outputs are flipped back to the
    input's time order before merging. A mask (from `Embedding(mask_zero=True)`
    or `Masking`) is passed to both directions.

    Args:
        layer: an RNN layer (`LSTM`, `GRU`, `SimpleRNN`, `RNN`); a copy of it
            becomes the forward layer.
        merge_mode: how to combine the two outputs: "concat" (default),
            "sum", "mul", "ave", or None for a list `[forward, backward]`.
        weights: optional initial weights, forward then backward.
        backward_layer: an optional RNN layer for the backward direction;
            by default a copy of `layer` with `go_backwards` flipped. It must
            agree with `layer` on `return_sequences`, `return_state` and
            `stateful`, and differ on `go_backwards`.

    Call arguments:
        sequences: `(batch, timesteps, features)`.
        initial_state: forward states followed by backward states.
        training: passed to both layers.

    Example:
        >>> inputs = lamina.Input(shape=(10, 8))
        >>> outputs = lamina.layers.Bidirectional(lamina.layers.LSTM(16))(inputs)  # (None, 32)
    """

    def __init__(
        self,
        layer,
        merge_mode: str | None = "concat",
        weights=None,
        backward_layer=None,
        **kwargs,
    ):
        if isinstance(layer, dict):
            layer = deserialize_layer(layer)
        if isinstance(backward_layer, dict):
            backward_layer = deserialize_layer(backward_layer)
        if not isinstance(layer, Layer):
            raise ValueError(
                "Bidirectional wraps a recurrent layer instance, e.g. "
                f"Bidirectional(lamina.layers.LSTM(8)); got layer={layer!r}."
            )
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(
                f"Bidirectional's backward_layer must be a layer instance; got {backward_layer!r}."
            )
        if merge_mode not in _MERGE_MODES:
            raise ValueError(
                f"Bidirectional: invalid merge_mode={merge_mode!r}; expected one of "
                '"concat", "sum", "mul", "ave" or None.'
            )
        super().__init__(**kwargs)
        self.forward_layer = _copy_layer(layer, name=_prefixed("forward_", layer.name))
        if backward_layer is None:
            backward_layer = _copy_layer(
                layer,
                name=_prefixed("backward_", layer.name),
                go_backwards=not layer.go_backwards,
            )
        self.backward_layer = backward_layer
        self._check_directions()
        # As in Keras: with a mask, masked steps of the returned sequences are zeros,
        # so the two directions never mix a repeated output into the merge.
        for sub in (self.forward_layer, self.backward_layer):
            if hasattr(sub, "zero_output_for_mask"):
                sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        self._initial_weights = list(weights) if weights else None
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.input_spec = InputSpec(ndim=3)

    def _check_directions(self) -> None:
        forward, backward = self.forward_layer, self.backward_layer
        if forward.go_backwards == backward.go_backwards:
            raise ValueError(
                "Bidirectional: the forward and backward layers must differ in go_backwards; "
                f"both have go_backwards={forward.go_backwards}."
            )
        for name in ("stateful", "return_sequences", "return_state"):
            if getattr(forward, name) != getattr(backward, name):
                raise ValueError(
                    f"Bidirectional: the forward and backward layers must agree on {name}; got "
                    f"{getattr(forward, name)} (forward) and {getattr(backward, name)} (backward)."
                )

    def build(self, sequences_shape, initial_state_shape=None) -> None:
        for layer in (self.forward_layer, self.backward_layer):
            if not layer.built:
                layer.build(sequences_shape)
                layer.built = True
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def reset_state(self) -> None:
        """Zero the states of both directions when they are stateful."""
        self.forward_layer.reset_state()
        self.backward_layer.reset_state()

    def reset_states(self) -> None:
        self.reset_state()

    @property
    def states(self):
        if self.forward_layer.states is None:
            return None
        return list(self.forward_layer.states) + list(self.backward_layer.states)

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        output_shape = self.forward_layer.compute_output_shape(sequences_shape)
        state_shapes: tuple = ()
        if self.return_state:
            output_shape, state_shapes = output_shape[0], tuple(output_shape[1:])
        if self.merge_mode == "concat":
            output_shape = (*output_shape[:-1], output_shape[-1] * 2)
            outputs: tuple = (output_shape,)
        elif self.merge_mode is None:
            outputs = (output_shape, output_shape)
        else:
            outputs = (output_shape,)
        if not self.return_state and len(outputs) == 1:
            return outputs[0]
        return (*outputs, *state_shapes, *state_shapes)

    def call(self, sequences, initial_state=None, mask=None, training=None):
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = list(initial_state[:half]), list(initial_state[half:])
        mask = time_mask(mask)
        y = self.forward_layer(
            sequences, initial_state=forward_state, mask=mask, training=training
        )
        y_rev = self.backward_layer(
            sequences, initial_state=backward_state, mask=mask, training=training
        )
        states: tuple = ()
        if self.return_state:
            states = (*y[1:], *y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            # The backward layer returns its sequence in processing order.
            y_rev = ops.flip(y_rev, axis=1)
        if self.merge_mode == "concat":
            merged: tuple = (ops.concatenate([y, y_rev], axis=-1),)
        elif self.merge_mode == "sum":
            merged = (y + y_rev,)
        elif self.merge_mode == "ave":
            merged = ((y + y_rev) / 2,)
        elif self.merge_mode == "mul":
            merged = (y * y_rev,)
        else:
            merged = (y, y_rev)
        if self.return_state:
            return (*merged, *states)
        return merged[0] if len(merged) == 1 else merged

    def compute_mask(self, inputs, mask=None):
        mask = time_mask(mask)
        output_mask = mask if self.return_sequences else None
        outputs = [output_mask, output_mask] if self.merge_mode is None else [output_mask]
        if not self.return_state:
            return outputs if self.merge_mode is None else output_mask
        states = [None] * (2 * len(self.forward_layer.state_size))
        return [*outputs, *states]

    def get_config(self) -> dict:
        config = {
            "merge_mode": self.merge_mode,
            "layer": serialize_layer(self.forward_layer),
            "backward_layer": serialize_layer(self.backward_layer),
        }
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None) -> Bidirectional:
        config = dict(config)
        config["layer"] = deserialize_layer(config["layer"], custom_objects=custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            config["backward_layer"] = deserialize_layer(backward, custom_objects=custom_objects)
        return cls(**config)
