"""The base of layers that wrap another layer (TimeDistributed, Bidirectional)."""

from __future__ import annotations

from lamina.layers.layer import Layer
from lamina.layers.rnn._serialization import deserialize_layer, serialize_layer


class Wrapper(Layer):
    """Holds `layer` as a sublayer and stores it in the config as Keras does (`"layer"`)."""

    def __init__(self, layer, **kwargs):
        if isinstance(layer, dict):
            layer = deserialize_layer(layer)
        if not isinstance(layer, Layer):
            raise ValueError(
                f"{type(self).__name__} wraps a layer instance, e.g. "
                f"{type(self).__name__}(lamina.layers.Dense(8)); got layer={layer!r}."
            )
        super().__init__(**kwargs)
        self.layer = layer

    def get_config(self) -> dict:
        return {**super().get_config(), "layer": serialize_layer(self.layer)}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None) -> Wrapper:
        config = dict(config)
        layer = deserialize_layer(config.pop("layer"), custom_objects=custom_objects)
        return cls(layer, **config)
