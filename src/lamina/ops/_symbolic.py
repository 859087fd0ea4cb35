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

import builtins
import functools
import inspect
import types

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
    make an `Operation` node; other calls go straight to the op.

    Every op call on real tensors passes through this check (torch runs its steps
    op by op), so each wrapper has its op's own parameters: one type test per
    argument and no packing into `*args`, about 0.1 us a call against 0.7 us for a
    generic `*args, **kwargs` wrapper. Ops with plain parameters reuse one
    compiled body per parameter count, renamed (no compiling at import); the few
    others are generated and compiled together.
    """
    scope = {"_MAYBE": _MAYBE_SYMBOLIC, "_has_symbolic": _has_symbolic}
    sources, generated = [], []
    for name in names:
        fn = namespace.get(name)
        if not inspect.isfunction(fn) or name in _NOT_OPS or getattr(fn, "_dispatches", False):
            continue
        _FUNCTIONS[name] = fn
        parameters = list(inspect.signature(fn).parameters.values())
        if not parameters:  # an op without arguments is never given symbolic ones
            continue
        op = _from_template(name, fn, parameters)
        if op is None:
            sources.append(_wrapper_source(name, fn, parameters, scope))
            generated.append((name, fn))
        else:
            namespace[name] = op
    if sources:
        exec(compile("".join(sources), "<lamina.ops wrappers>", "exec"), scope)  # noqa: S102
    for name, fn in generated:
        namespace[name] = _finish(scope[f"_op_{name}"], fn)


def _finish(op, fn):
    op = functools.update_wrapper(op, fn)
    op._dispatches = True
    return op


def _symbolic_handler(name: str):
    return _DESCRIBE.get(name) or functools.partial(_symbolic_call_from, name)


@functools.cache
def _template(count: int, varargs: bool):
    """The compiled wrapper body for `count` plain parameters (and `*args`)."""
    names = [f"a{i}" for i in range(count)] + (["*va"] if varargs else [])
    checks = [f"type(a{i}) in _MAYBE" for i in range(count)]
    checks += ["_has_symbolic(va)"] if varargs else []
    arguments = ", ".join(names)
    packed = f"({arguments},)" if names else "()"
    source = (
        f"def _op({arguments}):\n"
        f"    if ({' or '.join(checks)}) and _has_symbolic({packed}):\n"
        f"        return _symbolic({arguments})\n"
        f"    return _fn({arguments})\n"
    )
    scope: dict = {}
    exec(compile(source, "<lamina.ops wrapper>", "exec"), scope)  # noqa: S102
    return scope["_op"].__code__


def _from_template(name: str, fn, parameters):
    """The wrapper of an op whose parameters are all plain (and maybe `*args`), or None."""
    plain = [p for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD]
    varargs = [p for p in parameters if p.kind is p.VAR_POSITIONAL]
    if len(plain) + len(varargs) != len(parameters) or parameters[: len(plain)] != plain:
        return None
    code = _template(len(plain), bool(varargs))
    own = tuple(p.name for p in parameters)
    code = code.replace(
        co_varnames=own + code.co_varnames[len(own) :], co_name=name, co_qualname=name
    )
    defaults = tuple(p.default for p in plain if p.default is not p.empty) or None
    scope = {
        "__builtins__": builtins,  # torch.compile reads a function's builtins from here
        "_MAYBE": _MAYBE_SYMBOLIC,
        "_has_symbolic": _has_symbolic,
        "_symbolic": _symbolic_handler(name),
        "_fn": fn,
    }
    return _finish(types.FunctionType(code, scope, name, defaults), fn)


# Types worth a closer look: a symbolic tensor, or a container that may hold one.
_MAYBE_SYMBOLIC = frozenset({KerasTensor, list, tuple, dict})


def _wrapper_source(name: str, fn, listed: list, scope: dict) -> str:
    """The source of `_op_<name>`: `fn`'s signature, a type test per argument, and
    the call to `fn` (named `_fn_<name>` in `scope`, with its defaults)."""
    scope[f"_fn_{name}"] = fn
    scope[f"_symbolic_{name}"] = _symbolic_handler(name)
    params, checks, positional, keywords, call_keywords = [], [], [], [], []
    star = False
    for i, parameter in enumerate(listed):
        p, kind = parameter.name, parameter.kind
        default = ""
        if parameter.default is not parameter.empty:
            scope[f"_d_{name}_{i}"] = parameter.default
            default = f"=_d_{name}_{i}"
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
    packed = f"({', '.join(positional)},)" if positional else "()"
    return (
        f"def _op_{name}({', '.join(params)}):\n"
        f"    if {' or '.join(checks)}:\n"
        f"        args, kwargs = {packed}, {{{', '.join(keywords)}}}\n"
        "        if _has_symbolic(args) or _has_symbolic(kwargs.values()):\n"
        f"            return _symbolic_{name}(*args, **kwargs)\n"
        f"    return _fn_{name}({', '.join(positional + call_keywords)})\n"
    )


def _symbolic_call_from(name: str, *args, **kwargs):
    return symbolic_call(name, args, kwargs)


def _get_item(x, key):
    """`x[key]`, for `KerasTensor.__getitem__` where lamina.ops has no get_item."""
    return x[key]


_FUNCTIONS.setdefault("get_item", _get_item)


@functools.cache
def _signature(name: str) -> inspect.Signature:
    return inspect.signature(_FUNCTIONS[name])


@functools.cache
def _keras_entry(name: str):
    """The op's Keras recording, when lamina's signature holds every parameter it names
    (or Keras gives the missing one a default, which is then the only value it takes).

    A tensor argument Keras names otherwise (`stack(x)`, lamina's `stack(xs)`) is
    matched by its position."""
    entry = OPERATIONS.get(name)
    if entry is None:
        return None
    parameters = _signature(name).parameters
    positional = [
        p.name
        for p in parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    args = list(entry["args"])
    for i, p in enumerate(args):
        if not p.startswith("*") and p not in parameters and i < len(positional):
            args[i] = positional[i]
    if len(set(args)) == len(args) and args != list(entry["args"]):
        entry = {**entry, "args": tuple(args)}
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
