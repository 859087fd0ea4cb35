"""Wrapper: the base class of layers that wrap another layer."""

from __future__ import annotations

from lamina.layers.layer import Layer


class Wrapper(Layer):
    """The base class of layers that take a layer and change how it is applied.

    The wrapped layer is `self.layer`, a sublayer (its weights are the
    wrapper's). The config stores it serialized under `"layer"`, as Keras 3
    does, and `from_config` rebuilds it first. `build` builds the wrapped layer
    on the wrapper's input shape when it is not built yet; subclasses that
    change the shape the layer sees override it. Not a layer to use as it is:
    subclass it, as `SpectralNormalization` does.

    Args:
        layer: the layer to wrap (a `lamina.layers.Layer` instance, or its
            serialized config).
        **kwargs: base layer arguments (`name`, `trainable`, `dtype`).

    Example:
        >>> class Doubled(lamina.layers.Wrapper):
        ...     def call(self, inputs):
        ...         return lamina.ops.multiply(self.layer(inputs), 2.0)
        >>> Doubled(lamina.layers.Dense(4))(np.ones((2, 3), "float32")).shape
        (2, 4)
    """

    def __init__(self, layer, **kwargs):
        if isinstance(layer, dict):
            from lamina.saving import deserialize_keras_object

            layer = deserialize_keras_object(layer)
        if not isinstance(layer, Layer):
            raise ValueError(
                f"{type(self).__name__} wraps a layer instance, e.g. "
                f"{type(self).__name__}(lamina.layers.Dense(8)); got layer={layer!r} of type "
                f"{type(layer).__name__}."
            )
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None) -> None:
        if not self.layer.built:
            self.layer.build(input_shape)
            self.layer.built = True
        self.built = True

    def get_config(self) -> dict:
        from lamina.saving import serialize_keras_object

        return {**super().get_config(), "layer": serialize_keras_object(self.layer)}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Wrapper:
        from lamina.saving import deserialize_keras_object

        config = dict(config)
        layer = deserialize_keras_object(config.pop("layer"), custom_objects=custom_objects)
        return cls(layer, **config)
