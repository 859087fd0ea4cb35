"""Ops on symbolic tensors: `lamina.ops.mean(Input((3, 4)), axis=1)` in a functional model.

Every public op accepts `KerasTensor`s (directly, or in a list, tuple or dict
argument such as `concatenate([a, b])`). Called on them, it adds an
`Operation` node to the graph instead of computing: the node's output shape and
dtype come from tracing the op, as for any layer, and the model runs the op on
real data later.

An `Operation` saves as Keras 3 saves its ops (`keras.src.ops.numpy` `Mean`,
with `axis` in the config and `x` in the node's call arguments), so functional
models that use ops move between lamina and Keras in both directions. The split
between config and call arguments comes, op by op, from `_keras_operations.py`.
"""

from __future__ import annotations

import functools
import inspect

from lamina.backend._keras_tensor import KerasTensor
from lamina.ops._keras_operations import OPERATIONS

# The op functions before wrapping, by public name: what an Operation runs.
_FUNCTIONS: dict[str, object] = {}
# (Keras module, Keras class name) -> the op names recorded so (`abs` and `absolute`
# both as Absolute), for reading Keras's files.
_BY_KERAS_CLASS: dict[tuple[str, str], list[str]] = {}
for _name, _entry in sorted(OPERATIONS.items()):
    _BY_KERAS_CLASS.setdefault((_entry["module"], _entry["class_name"]), []).append(_name)
_LAMINA_MODULE = "lamina.ops"


def _has_symbolic(values) -> bool:
    for value in values:
        kind = type(value)
        if kind is KerasTensor:
            return True
        if kind is list or kind is tuple:
            for item in value:
                if type(item) is KerasTensor:
                    return True
        elif kind is dict:
            for item in value.values():
                if type(item) is KerasTensor:
                    return True
    return False


# Functions that describe a tensor or run Python functions: no graph node. On a
# symbolic tensor, shape and dtype answer from what it declares, as in Keras.
_NOT_OPS = frozenset(
    {
        "cond", "convert_to_numpy", "default_device", "device_names", "engine_version",
        "fori_loop", "is_tensor", "map", "scan", "switch", "custom_gradient", "vectorize",
        "associative_scan", "while_loop",
    }
)  # fmt: skip
_DESCRIBE = {"shape": lambda x: x.shape, "dtype": lambda x: x.dtype, "ndim": lambda x: x.ndim}


def dispatch_symbolic(namespace: dict, names) -> None:
    """Wrap each op in `names` (a module's `__all__`) so that symbolic arguments
    make an `Operation` node; other calls go straight to the op."""
    for name in names:
        fn = namespace.get(name)
        if not inspect.isfunction(fn) or name in _NOT_OPS or getattr(fn, "_dispatches", False):
            continue
        _FUNCTIONS[name] = fn
        namespace[name] = _wrap(name, fn)


# Types worth a closer look: a symbolic tensor, or a container that may hold one.
_MAYBE_SYMBOLIC = frozenset({KerasTensor, list, tuple, dict})


def _wrap(name: str, fn):
    """`fn` behind a check for symbolic arguments, with `fn`'s own signature.

    Every op call on real tensors passes through this check (torch runs its steps
    op by op), so the wrapper is generated with the op's parameters spelled out:
    one type test per argument, no packing into `*args`, a fifth of the cost of a
    generic `*args, **kwargs` wrapper.
    """
    signature = inspect.signature(fn)
    namespace = {
        "_fn": fn,
        "_name": name,
        "_MAYBE": _MAYBE_SYMBOLIC,
        "_has_symbolic": _has_symbolic,
        "_symbolic": _DESCRIBE.get(name) or functools.partial(_symbolic_call_from, name),
    }
    params, checks, positional, keywords, call_keywords = [], [], [], [], []
    star = False
    listed = list(signature.parameters.values())
    for i, parameter in enumerate(listed):
        p, kind = parameter.name, parameter.kind
        default = ""
        if parameter.default is not parameter.empty:
            namespace[f"_d{i}"] = parameter.default
            default = f"=_d{i}"
        if kind is parameter.VAR_POSITIONAL:
            params.append(f"*{p}")
            checks.append(f"_has_symbolic({p})")
            positional.append(f"*{p}")
            star = True
        elif kind is parameter.VAR_KEYWORD:
            params.append(f"**{p}")
            checks.append(f"_has_symbolic({p}.values())")
            keywords.append(f"**{p}")
            call_keywords.append(f"**{p}")
        else:
            if kind is parameter.KEYWORD_ONLY and not star:
                params.append("*")
                star = True
            params.append(p + default)
            checks.append(f"type({p}) in _MAYBE")
            if kind is parameter.KEYWORD_ONLY:
                keywords.append(f"{p!r}: {p}")
                call_keywords.append(f"{p}={p}")
            else:
                positional.append(p)
        if kind is parameter.POSITIONAL_ONLY and (
            i + 1 == len(listed) or listed[i + 1].kind is not parameter.POSITIONAL_ONLY
        ):
            params.append("/")
    if not checks:  # takes no arguments, so never symbolic ones
        return fn
    packed = f"({', '.join(positional)},)" if positional else "()"
    source = (
        f"def {name}({', '.join(params)}):\n"
        f"    if {' or '.join(checks) or 'False'}:\n"
        f"        args, kwargs = {packed}, {{{', '.join(keywords)}}}\n"
        "        if _has_symbolic(args) or _has_symbolic(kwargs.values()):\n"
        "            return _symbolic(*args, **kwargs)\n"
        f"    return _fn({', '.join(positional + call_keywords)})\n"
    )
    exec(compile(source, f"<lamina.ops.{name}>", "exec"), namespace)  # noqa: S102
    op = functools.update_wrapper(namespace[name], fn)
    op._dispatches = True
    return op


def _symbolic_call_from(name: str, *args, **kwargs):
    return symbolic_call(name, args, kwargs)


def _get_item(x, key):
    """`x[key]`, for `KerasTensor.__getitem__` where lamina.ops has no get_item."""
    return x[key]


_FUNCTIONS.setdefault("get_item", _get_item)


@functools.cache
def _signature(name: str) -> inspect.Signature:
    return inspect.signature(_FUNCTIONS[name])


def _keras_entry(name: str):
    """The op's Keras recording, when lamina's signature holds every parameter it names
    (or Keras gives the missing one a default, which is then the only value it takes)."""
    entry = OPERATIONS.get(name)
    if entry is None:
        return None
    parameters = _signature(name).parameters
    names = [p.lstrip("*") for p in entry["args"]]
    names += [p for key, p in entry["kwargs"] if key != "**"]
    names += [p for _, p in entry["config"]]
    if any(p is None or (p not in parameters and p not in entry["defaults"]) for p in names):
        return None
    return entry


def lamina_arguments(name: str, entry: dict, values: dict) -> dict:
    """`values` for lamina's op: a parameter only Keras's op has must hold Keras's default."""
    parameters = _signature(name).parameters
    for p in [p for p in values if p not in parameters]:
        value = values.pop(p)
        if value != entry["defaults"].get(p, value):
            raise ValueError(
                f"lamina.ops.{name} has no parameter {p!r}, which this saved model sets to "
                f"{value!r}. Rebuild the model in code without it."
            )
    return values


def symbolic_call(name: str, args: tuple, kwargs: dict):
    """`ops.<name>(*args, **kwargs)` with symbolic arguments, as an `Operation` node."""
    from lamina.layers.core._operation import Operation
    from lamina.layers.layer import unique_name

    if name not in _FUNCTIONS:
        raise AttributeError(f"lamina.ops has no operation {name!r} to apply to symbolic tensors.")
    entry = _keras_entry(name)
    if entry is not None:
        bound = _signature(name).bind(*args, **kwargs)
        bound.apply_defaults()
        values = {**entry["defaults"], **bound.arguments}
        config = {key: values[p] for key, p in entry["config"]}
    if entry is None or _has_symbolic(config.values()):
        # No Keras form (a lamina-only op, or a tensor where Keras keeps a constant):
        # the node keeps the call as it was made.
        operation = Operation(name, name=unique_name(name))
        return operation(*args, **kwargs)
    call_args = []
    for p in entry["args"]:
        if p.startswith("*"):
            call_args.extend(values[p[1:]])
        else:
            call_args.append(values[p])
    call_kwargs = {}
    for key, p in entry["kwargs"]:
        if key == "**":
            call_kwargs.update(values.get(p) or {})
        else:
            call_kwargs[key] = values[p]
    operation = Operation(name, config, name=unique_name(_snake(entry["class_name"])))
    return operation(*call_args, **call_kwargs)


def _snake(class_name: str) -> str:
    from lamina.layers.layer import to_snake_case

    return to_snake_case(class_name)


def camel(name: str) -> str:
    """`get_item` -> `GetItem`: the class name a lamina-only op saves under."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def operation_from_config(module, class_name: str, config: dict):
    """The `Operation` a saved node names (Keras's `keras.src.ops.*` classes, or lamina's
    own ops), or None when the entry names no op."""
    if not isinstance(module, str):
        return None
    form = None
    if module.startswith("keras.src.ops.") or module.startswith("keras.ops"):
        names = _BY_KERAS_CLASS.get((module, class_name))
        if names is None:  # a class Keras has moved between its op modules
            names = [n for (_, c), ns in _BY_KERAS_CLASS.items() if c == class_name for n in ns]
        op = next((n for n in names if n in _FUNCTIONS), names[0] if names else None)
        form = {}
    elif module == _LAMINA_MODULE:
        op = _snake(class_name)
    else:
        return None
    if op is None or op not in _FUNCTIONS:
        raise ValueError(
            f"The config names the operation {class_name!r} ({module}), which lamina.ops does not "
            "provide, so the model cannot be rebuilt. Rebuild it in code with the ops lamina has."
        )
    from lamina.layers.core._operation import Operation

    config = dict(config)
    name = config.pop("name", None)
    if form is not None:
        form = config
    return Operation(op, form, name=name)
