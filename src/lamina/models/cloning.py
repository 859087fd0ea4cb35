"""`clone_model`: a new model of the same architecture, with new weights."""

from __future__ import annotations

import inspect
from collections.abc import Callable

from lamina.backend._keras_tensor import KerasTensor
from lamina.layers.input_layer import Input, InputLayer
from lamina.layers.layer import Layer
from lamina.models.functional import Functional
from lamina.models.sequential import Sequential
from lamina.utils import _tree


def _is_operation(layer) -> bool:
    """Whether `layer` is an op node (`lamina.ops` on symbolic tensors): stateless, so shared."""
    try:
        from lamina.layers.core._operation import Operation
    except ImportError:
        return False
    return isinstance(layer, Operation)


def _clone_layer(layer: Layer) -> Layer:
    if _is_operation(layer):
        return layer
    return type(layer).from_config(layer.get_config())


def _wrap_clone_function(
    clone_function: Callable | None,
    call_function: Callable | None,
    recursive: bool,
    cache: dict,
) -> Callable:
    """`clone_function` (default: rebuild from the config), cloning each layer once, and
    with `recursive`, nested Sequential and functional models layer by layer."""
    clone_function = clone_function or _clone_layer
    if not callable(clone_function):
        raise ValueError(
            f"clone_function must be a callable that takes a layer and returns a layer; got "
            f"clone_function={clone_function!r}."
        )

    def clone(layer):
        if id(layer) in cache:
            return cache[id(layer)]
        if recursive and isinstance(layer, Sequential):
            result = clone_model(layer, clone_function=clone_function, cache=cache)
        elif recursive and isinstance(layer, Functional):
            result = clone_model(
                layer, clone_function=clone_function, call_function=call_function, cache=cache
            )
        else:
            result = clone_function(layer)
        cache[id(layer)] = result
        return result

    return clone


def clone_model(
    model,
    input_tensors=None,
    clone_function: Callable | None = None,
    call_function: Callable | None = None,
    recursive: bool = False,
    **kwargs,
):
    """A new model with the architecture of `model` and newly initialized weights.

    Sequential and functional models are rebuilt layer by layer: each layer
    is cloned once (by default `type(layer).from_config(layer.get_config())`),
    and the clone is called as the original was. Subclassed models are
    rebuilt from their config, so they need `get_config` (or constructor
    arguments lamina can record). A compiled model's clone is compiled with
    the same configuration. Use `model.get_weights()` and `set_weights` to copy
    the weights.

    Args:
        model: a Sequential, functional or subclassed model.
        input_tensors: symbolic tensors to build the clone on, in the
            structure of `model.input` (Sequential: one tensor); default: new
            `Input`s of the same shapes, dtypes and names.
        clone_function: `layer -> new layer`, called once per layer (e.g. to
            change a configuration, or to return the layer itself to share it).
        call_function: `(layer, *args, **kwargs) -> outputs`, called instead
            of `layer(*args, **kwargs)` for each layer call of a functional
            model (e.g. to insert layers).
        recursive: also clone the layers of nested Sequential and functional
            models with `clone_function`, instead of cloning them whole.

    Returns:
        The clone.

    Example:
        >>> model = lamina.Sequential([lamina.Input((4,)), lamina.layers.Dense(2)])
        >>> clone = lamina.models.clone_model(model)
        >>> clone.set_weights(model.get_weights())
    """
    cache = kwargs.pop("cache", None)
    if kwargs:
        raise ValueError(
            f"clone_model got unexpected keyword argument(s) {tuple(kwargs)}; it takes "
            "input_tensors, clone_function, call_function and recursive."
        )
    cache = {} if cache is None else cache
    if isinstance(model, Sequential):
        if call_function is not None:
            raise ValueError(
                "call_function is not supported with Sequential models, whose layers are listed, "
                "not called, when the model is made. Use it with functional models."
            )
        clone = _wrap_clone_function(clone_function, call_function, recursive, cache)
        return _clone_sequential(model, clone, input_tensors)
    if isinstance(model, Functional):
        clone = _wrap_clone_function(clone_function, call_function, recursive, cache)
        return _clone_functional(model, clone, call_function, input_tensors)
    if clone_function is not None or input_tensors is not None:
        raise ValueError(
            "clone_function and input_tensors are supported for Sequential and functional models "
            f"only; got a {type(model).__name__} with clone_function={clone_function!r} and "
            f"input_tensors={input_tensors!r}."
        )
    if call_function is not None:
        raise ValueError(
            f"call_function is supported for functional models only; got a {type(model).__name__}."
        )
    from lamina.saving.serialization import deserialize_keras_object, serialize_keras_object

    config = serialize_keras_object(model)
    return deserialize_keras_object(config, custom_objects={type(model).__name__: type(model)})


def _compile_like(clone, model) -> None:
    if getattr(model, "compiled", False):
        config = model.get_compile_config()
        if config:
            clone.compile_from_config(config)


def _clone_sequential(model: Sequential, clone: Callable, input_tensors) -> Sequential:
    layers = [clone(layer) for layer in model.layers]
    reference = model._input_layer
    if input_tensors is not None:
        if isinstance(input_tensors, (list, tuple)):
            if len(input_tensors) != 1:
                raise ValueError(
                    "A Sequential model takes one input tensor; got input_tensors with "
                    f"{len(input_tensors)} items."
                )
            input_tensors = input_tensors[0]
        if not isinstance(input_tensors, KerasTensor):
            raise ValueError(
                "input_tensors must be a symbolic tensor (from lamina.Input); got "
                f"{type(input_tensors).__name__}: {input_tensors!r}."
            )
        name = reference.name if reference is not None else None
        layers = [Input(tensor=input_tensors, name=name), *layers]
    elif reference is not None:
        inputs = Input(
            batch_shape=reference.batch_shape, dtype=reference._input_dtype, name=reference.name
        )
        layers = [inputs, *layers]
    cloned = Sequential(layers, name=model.name, trainable=model.trainable)
    _compile_like(cloned, model)
    return cloned


def _takes_inputs_and_outputs(cls) -> bool:
    if cls is Functional:
        return True
    try:
        parameters = list(inspect.signature(cls.__init__).parameters)
    except (TypeError, ValueError):
        return False
    return parameters[1:3] == ["inputs", "outputs"]


def _clone_functional(model: Functional, clone: Callable, call_function, input_tensors):
    if input_tensors is not None:
        if not all(isinstance(t, KerasTensor) for t in _tree.flatten(input_tensors)):
            raise ValueError(
                "input_tensors must hold symbolic tensors (from lamina.Input) only; got "
                f"{input_tensors!r}."
            )
        from lamina import tree

        try:
            tree.assert_same_structure(input_tensors, model.input)
        except ValueError as error:
            raise ValueError(
                f"input_tensors must have the structure of model.input ({model.input!r}); got "
                f"{input_tensors!r}."
            ) from error
    else:
        input_tensors = _tree.map_structure(
            lambda t: Input(batch_shape=t.shape, dtype=t.dtype, name=t.name), model.input
        )
    values = {
        id(old): new for old, new in zip(model.inputs, _tree.flatten(input_tensors), strict=True)
    }

    def resolve(x):
        return values[id(x)] if isinstance(x, KerasTensor) else x

    for node in model._nodes:
        if isinstance(node.layer, InputLayer):
            continue
        layer = clone(node.layer)
        args = _tree.map_structure(resolve, list(node.args))
        kwargs = _tree.map_structure(resolve, node.kwargs)
        if call_function is not None:
            outputs = call_function(layer, *args, **kwargs)
        else:
            outputs = layer(*args, **kwargs)
        for old, new in zip(node.output_tensors, _tree.flatten(outputs), strict=True):
            values[id(old)] = new
    outputs = _tree.pack_as(model.output, [values[id(t)] for t in model.outputs])
    cls = type(model) if _takes_inputs_and_outputs(type(model)) else Functional
    cloned = cls(input_tensors, outputs, name=model.name)
    _compile_like(cloned, model)
    return cloned
