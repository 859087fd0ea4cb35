"""Operation: the node an op called on symbolic tensors adds to a functional model
(see lamina/ops/_symbolic.py)."""

from __future__ import annotations

import inspect

from lamina.layers.layer import Layer
from lamina.ops._symbolic import (
    _FUNCTIONS,
    _LAMINA_MODULE,
    _keras_entry,
    _signature,
    camel,
    lamina_arguments,
)


class Operation(Layer):
    """An op applied to symbolic tensors: a node of a functional model.

    Made by calling a `lamina.ops` function on symbolic tensors, not by hand.
    `config` holds the op arguments Keras keeps in the operation's config
    (`axis` for `mean`); the tensors and the other arguments arrive as call
    arguments. Without `config`, the call arguments are the op's own, as given.

    Example:
        >>> x = lamina.Input((3, 4))
        >>> y = lamina.ops.mean(x, axis=1)  # an Operation node named "mean"
        >>> model = lamina.Model(x, y)
    """

    # An op, not a layer, to Keras users: its output has no mask, silently, and it is
    # not in `model.layers` (the summary lists it, under Keras's class name).
    _warns_on_dropped_mask = False
    _is_operation = True

    def __init__(self, op: str, config: dict | None = None, **kwargs):
        if op not in _FUNCTIONS:
            raise ValueError(
                f"lamina.ops has no operation {op!r}. Operations are made by calling a "
                "lamina.ops function on symbolic tensors."
            )
        super().__init__(**kwargs)
        self.op = op
        # Keras's form: some arguments in the config, the others in the call.
        self._entry = None if config is None else _keras_entry(op)
        self.op_config = dict(config or {}) if self._entry is not None else {}

    def call(self, *args, **kwargs):
        fn = _FUNCTIONS[self.op]
        entry = self._entry
        if entry is None:
            return fn(*args, **kwargs)
        values = {p: self.op_config[key] for key, p in entry["config"] if key in self.op_config}
        varargs = None
        for i, p in enumerate(entry["args"]):
            if p.startswith("*"):
                varargs = list(args[i:])
                break
            if i < len(args):
                values[p] = args[i]
        named = {key: p for key, p in entry["kwargs"] if key != "**"}
        extra = {}
        for key, value in kwargs.items():
            if key in named:
                values[named[key]] = value
            else:
                extra[key] = value
        values = lamina_arguments(self.op, entry, values)
        if self.op == "get_item" and isinstance(values.get("key"), list):
            values["key"] = tuple(
                values["key"]
            )  # JSON has no tuples: Keras saves the key as a list
        return _call_with(fn, _signature(self.op), values, varargs, extra)

    def get_config(self) -> dict:
        return {"name": self.name, **self.op_config}

    def get_build_config(self) -> dict | None:
        return None

    def _serialized_identity(self) -> tuple[str, str]:
        """(module, class name) this node saves under: Keras's operation where Keras has one."""
        if self._entry is None:
            return _LAMINA_MODULE, camel(self.op)
        return self._entry["module"], self._entry["class_name"]


def _call_with(fn, signature: inspect.Signature, values: dict, varargs, extra: dict):
    """Call `fn` with named values; the parameters before a `*args` go positionally."""
    if varargs is None:
        return fn(**values, **extra)
    positional = []
    for parameter in signature.parameters.values():
        if parameter.kind is parameter.VAR_POSITIONAL:
            break
        positional.append(values.pop(parameter.name))
    return fn(*positional, *varargs, **values, **extra)
