"""Lambda: wraps a Python function as a layer; and the layers behind operators on
symbolic tensors (`Input(...) + 1`)."""

from __future__ import annotations

import inspect

from lamina import ops
from lamina.layers.layer import Layer


def _resolve_function(name: str):
    """The function a config names: a public `lamina.ops` or `lamina.activations` name.

    Loading never runs stored code, so arbitrary functions (lambdas, user code)
    cannot be restored from a name: pass them again with `custom_objects`.
    """
    from lamina import activations

    for namespace in (ops, activations):
        fn = getattr(namespace, name, None)
        if callable(fn) and not name.startswith("_"):
            return fn
    raise ValueError(
        f"Lambda: cannot restore the function {name!r} from a config: lamina never loads code "
        "from files. Pass the function again, e.g. "
        f"Lambda.from_config(config, custom_objects={{{name!r}: my_function}})."
    )


class Lambda(Layer):
    """Wraps a function of tensors as a layer, for quick, stateless computations.

    The function must use `lamina.ops` so it runs on every engine. Its config holds
    only the function's name: a Lambda round-trips in the same process, or when
    the function is passed again through `custom_objects`; stored code is never run.

    Args:
        function: `function(inputs, **arguments)` returning the output.
        output_shape: the output shape without batch axis, or a function of the
            input shape; inferred by tracing the function when None.
        mask: the output mask: a function `mask(inputs, previous_mask)`, a
            fixed mask, or None to pass the input's mask on.
        arguments: extra keyword arguments for `function`.

    Example:
        >>> layer = lamina.layers.Lambda(lambda x: lamina.ops.square(x))
        >>> layer(np.array([1.0, 2.0]))
        array([1., 4.], dtype=float32)
    """

    def __init__(
        self, function, output_shape=None, mask=None, arguments: dict | None = None, **kwargs
    ):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda: function must be callable; got {function!r}.")
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = mask
        self.supports_masking = True
        self._output_shape = output_shape
        parameters = inspect.signature(function).parameters
        self._fn_has_training = "training" in parameters
        self._fn_has_mask = "mask" in parameters

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_has_mask:
            kwargs["mask"] = mask
        if self._fn_has_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return mask if self.mask is None else self.mask

    def compute_output_spec(self, *args, **kwargs):
        if self._output_shape is None:
            return self._trace_output_spec(*args, **kwargs)
        return super().compute_output_spec(*args, **kwargs)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            raise NotImplementedError(
                f"Lambda {self.name!r}: pass output_shape= to compute output shapes without data."
            )
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        batch = input_shape[0][0] if isinstance(input_shape, list) else tuple(input_shape)[0]
        return (batch, *tuple(self._output_shape))

    def get_config(self) -> dict:
        config = super().get_config()
        output_shape = self._output_shape
        if callable(output_shape):
            output_shape = getattr(output_shape, "__name__", None)
        config.update(
            {
                "function": getattr(self.function, "__name__", type(self.function).__name__),
                "output_shape": output_shape,
                "arguments": self.arguments,
            }
        )
        return config

    @classmethod
    def from_config(
        cls, config: dict, custom_objects: dict | None = None, safe_mode=None
    ) -> Lambda:
        config = dict(config)
        custom_objects = custom_objects or {}
        for key in ("function", "output_shape"):
            value = config.get(key)
            if isinstance(value, str):
                config[key] = custom_objects.get(value) or _resolve_function(value)
            elif isinstance(value, dict):
                raise ValueError(
                    f"Lambda: the config stores {key!r} as serialized code, which lamina never "
                    "runs. Pass the function itself, e.g. "
                    "Lambda.from_config(config, custom_objects={'name': my_function})."
                )
        return cls(**config)


class _SymbolicOp(Layer):
    """Applies `lamina.ops.<op>` (or indexing) with some arguments fixed: the node that
    operators on symbolic tensors made in files of earlier lamina versions, which load
    as they were saved (new models save Keras operation nodes instead). Tensor
    arguments arrive as call inputs, the others are stored."""

    # An op, not a layer, to Keras users: its output has no mask, silently.
    _warns_on_dropped_mask = False

    def __init__(
        self,
        op: str,
        arguments: list,
        tensor_positions: list[int],
        reverse: bool = False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.op = op
        self.arguments = list(arguments)
        self.tensor_positions = list(tensor_positions)
        self.reverse = reverse

    def call(self, inputs, *tensors):
        arguments = list(self.arguments)
        for position, tensor in zip(self.tensor_positions, tensors, strict=True):
            arguments[position] = tensor
        if self.op == "_getitem":
            return inputs[arguments[0]]
        fn = getattr(ops, self.op)
        if self.reverse:
            return fn(arguments[0], inputs, *arguments[1:])
        return fn(inputs, *arguments)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "op": self.op,
                "arguments": self.arguments,
                "tensor_positions": self.tensor_positions,
                "reverse": self.reverse,
            }
        )
        return config
