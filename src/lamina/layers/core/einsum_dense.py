"""EinsumDense: a dense layer whose product is any `einsum` of the input and a kernel."""

from __future__ import annotations

import re

from lamina import activations, constraints, initializers, ops, regularizers
from lamina.initializers.random_initializers import VarianceScaling
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer

__all__ = ["EinsumDense"]

_FORMS = (
    # (pattern, where the ellipsis stands: None, "left" or "right")
    (re.compile(r"^([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$"), None),
    (re.compile(r"^\.\.\.([a-zA-Z]+),([a-zA-Z]+)->\.\.\.([a-zA-Z]+)$"), "left"),
    (re.compile(r"^([a-zA-Z]{2,})\.\.\.,([a-zA-Z]+)->([a-zA-Z]+)\.\.\.$"), "right"),
)


class EinsumDense(Layer):
    """A dense layer computing `activation(einsum(equation, inputs, kernel) + bias)`.

    The equation names each axis of the input, the kernel and the output with
    a letter; the kernel's shape follows from the input's shape and
    `output_shape`. An ellipsis (`...`) stands for any number of leading (or
    trailing) axes that pass through unchanged.

    Args:
        equation: `"ab,bc->ac"`, `"...ab,bc->...ac"` or `"ab...,bc->ac..."`
            forms, with any letters.
        output_shape: the output's shape without the batch axis and without the
            axes the ellipsis covers; an int for one axis. None entries are
            taken from the input.
        activation: an activation name or callable; None means linear.
        bias_axes: the output letters that get a bias (e.g. `"c"`); None for
            no bias.
        kernel_initializer, bias_initializer: initializers of the weights.
            A variance-scaling kernel initializer (such as the default
            "glorot_uniform") computes its fans from the equation's input and
            output letters.
        kernel_regularizer, bias_regularizer: regularizers of the weights.
        activity_regularizer: a regularizer applied to the output.
        kernel_constraint, bias_constraint: constraints of the weights.

    Example:
        >>> layer = lamina.layers.EinsumDense("abc,cd->abd", output_shape=(None, 8), bias_axes="d")
        >>> layer(np.ones((2, 5, 3))).shape
        (2, 5, 8)
    """

    def __init__(
        self,
        equation: str,
        output_shape,
        activation=None,
        bias_axes: str | None = None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        lora_rank: int | None = None,
        lora_alpha: float | None = None,
        **kwargs,
    ):
        # Keras 3 configs may carry quantization settings; lamina has no quantized layers.
        quantization = kwargs.pop("quantization_config", None)
        kwargs.pop("gptq_unpacked_column_size", None)
        if quantization is not None or lora_rank:
            raise NotImplementedError(
                "EinsumDense: quantization and LoRA are not supported by lamina; got "
                f"quantization_config={quantization!r}, lora_rank={lora_rank!r}. Remove "
                "them from the config."
            )
        super().__init__(**kwargs)
        _split_equation(equation)
        if isinstance(output_shape, int) and not isinstance(output_shape, bool):
            output_shape = (output_shape,)
        if not isinstance(output_shape, (list, tuple)) or not all(
            d is None or (isinstance(d, int) and not isinstance(d, bool) and d > 0)
            for d in output_shape
        ):
            raise ValueError(
                f"EinsumDense: output_shape must be an int or a tuple of positive ints and "
                f"None; got output_shape={output_shape!r}."
            )
        if bias_axes is not None and not isinstance(bias_axes, str):
            raise ValueError(
                f"EinsumDense: bias_axes must be a string of output letters or None; got "
                f"bias_axes={bias_axes!r}."
            )
        self.equation = equation
        self.partial_output_shape = tuple(output_shape)
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.lora_rank = None
        self.lora_alpha = None
        self.kernel = None
        self.bias = None

    def build(self, input_shape) -> None:
        plan = _plan(
            self.name, self.equation, self.bias_axes, input_shape, self.partial_output_shape
        )
        kernel_initializer = self.kernel_initializer
        if isinstance(kernel_initializer, VarianceScaling) and (
            kernel_initializer.input_axes is None or kernel_initializer.output_axes is None
        ):
            # Fans from the equation, not from the kernel's layout: a copy that knows the axes.
            config = kernel_initializer.get_config()
            config.update(
                input_axes=plan["kernel_input_axes"], output_axes=plan["kernel_output_axes"]
            )
            config.pop("seed", None)
            kernel_initializer = type(kernel_initializer).from_config(config)
            kernel_initializer.seed = self.kernel_initializer.seed
        self.kernel = self.add_weight(
            name="kernel",
            shape=plan["kernel_shape"],
            initializer=kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        if plan["bias_shape"] is not None:
            self.bias = self.add_weight(
                name="bias",
                shape=plan["bias_shape"],
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        else:
            self.bias = None
        self.input_spec = InputSpec(ndim=len(input_shape), axes=plan["contracted"])
        self.built = True

    def call(self, inputs):
        outputs = ops.einsum(self.equation, inputs, self.kernel.value)
        if self.bias is not None:
            outputs = ops.add(outputs, self.bias.value)
        if self.activation is not None:
            outputs = self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape) -> tuple:
        plan = _plan(
            self.name, self.equation, self.bias_axes, input_shape, self.partial_output_shape
        )
        return plan["output_shape"]

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(
            {
                "output_shape": self.partial_output_shape,
                "equation": self.equation,
                "activation": activations.serialize(self.activation),
                "bias_axes": self.bias_axes,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
            }
        )
        return config


def _split_equation(equation) -> tuple[str, str, str, str | None]:
    """`(input letters, kernel letters, output letters, ellipsis side)` of an equation."""
    if isinstance(equation, str):
        compact = equation.replace(" ", "")
        for pattern, side in _FORMS:
            match = pattern.match(compact)
            if match:
                return match.group(1), match.group(2), match.group(3), side
    raise ValueError(
        f"EinsumDense: invalid equation {equation!r}. Expected one of the forms "
        "'ab,bc->ac', '...ab,bc->...ac' or 'ab...,bc->ac...' (letters name the axes)."
    )


def _plan(layer_name, equation, bias_axes, input_shape, partial_output_shape) -> dict:
    """The kernel, bias and output shapes for inputs of `input_shape`."""
    in_spec, kernel_spec, out_spec, side = _split_equation(equation)
    input_shape = tuple(input_shape)
    rank = len(input_shape)
    elided = rank - len(in_spec)
    where = f"EinsumDense {layer_name!r} (equation {equation!r})"
    if elided < 0 or (side is None and elided != 0):
        raise ValueError(
            f"{where}: the input has rank {rank} (shape {input_shape}), but the equation names "
            f"{len(in_spec)} input axes {in_spec!r}. Give inputs of rank {len(in_spec)}"
            + (" or more." if side else ", or use '...' in the equation for extra axes.")
        )
    # Absolute positions of the named axes in the input and in the output.
    in_offset = elided if side == "left" else 0
    in_pos = {c: i + in_offset for i, c in enumerate(in_spec)}
    full = [input_shape[0], *partial_output_shape]
    if side == "left":
        full[1:1] = input_shape[1:elided]
    elif side == "right":
        full.extend(input_shape[rank - elided :])
    out_offset = elided if side == "left" else 0
    expected_rank = len(out_spec) + (elided if side else 0)
    if len(full) != expected_rank:
        raise ValueError(
            f"{where}: output_shape={tuple(partial_output_shape)} has {len(partial_output_shape)} "
            f"entries, but the output {out_spec!r} needs {len(out_spec) - 1} (all its axes but "
            "the first, which is the batch axis)."
        )
    out_pos = {c: i + out_offset for i, c in enumerate(out_spec)}
    for c, i in out_pos.items():
        if c in in_pos:
            size = input_shape[in_pos[c]]
            if full[i] is not None and size is not None and full[i] != size:
                raise ValueError(
                    f"{where}: axis {c!r} is {size} in the input (shape {input_shape}) but "
                    f"{full[i]} in output_shape={tuple(partial_output_shape)}. Make them equal "
                    "or give None in output_shape."
                )
            if full[i] is None:
                full[i] = size
        elif c not in kernel_spec:
            raise ValueError(
                f"{where}: output axis {c!r} appears in neither the input {in_spec!r} nor the "
                f"kernel {kernel_spec!r}."
            )
    kernel_shape, kernel_in, kernel_out, contracted = [], [], [], {}
    for j, c in enumerate(kernel_spec):
        if c in out_pos:
            size = full[out_pos[c]]
            kernel_out.append(j)
        elif c in in_pos:
            size = input_shape[in_pos[c]]
            kernel_in.append(j)
            contracted[in_pos[c] - rank] = size
        else:
            raise ValueError(
                f"{where}: kernel axis {c!r} appears in neither the input {in_spec!r} nor the "
                f"output {out_spec!r}, so its size is unknown."
            )
        if size is None:
            raise ValueError(
                f"{where}: the size of kernel axis {c!r} is unknown for input shape "
                f"{input_shape} and output_shape={tuple(partial_output_shape)}. Give it in "
                "output_shape, or give the input a known size there."
            )
        kernel_shape.append(int(size))
    bias_shape = None
    if bias_axes is not None:
        unknown = [c for c in bias_axes if c not in out_spec]
        if unknown:
            raise ValueError(
                f"{where}: bias_axes={bias_axes!r} names {unknown}, which are not output axes "
                f"{out_spec!r}. Choose letters of the output."
            )
        first = min(out_spec.index(c) for c in bias_axes)
        bias_shape = [full[out_pos[c]] if c in bias_axes else 1 for c in out_spec[first:]]
        if side == "right":
            bias_shape += [1] * elided
        if any(d is None for d in bias_shape):
            raise ValueError(
                f"{where}: the bias needs known sizes for axes {bias_axes!r}; got output shape "
                f"{tuple(full)}. Give them in output_shape."
            )
    return {
        "kernel_shape": tuple(kernel_shape),
        "bias_shape": None if bias_shape is None else tuple(int(d) for d in bias_shape),
        "output_shape": tuple(full),
        "kernel_input_axes": kernel_in,
        "kernel_output_axes": kernel_out,
        "contracted": contracted,
    }
