"""Writes src/lamina/ops/_keras_operations.py: how Keras 3 records each op.

Keras 3 saves an op applied to symbolic tensors (`keras.ops.mean(x, axis=1)`
in a functional model) as an operation node: a class (`Mean` in module
`keras.src.ops.numpy`) whose config holds some of the op's arguments
(`axis`, `keepdims`), while the node's call arguments hold the others (`x`).
lamina needs that split, op by op, to write files Keras loads and to read
Keras's files. This script reads it from the installed Keras's op functions
(the `Class(init args).symbolic_call(call args)` line in each) and writes the
table. Run it after upgrading the Keras version the project targets:

    python tools/keras_operations.py
"""

from __future__ import annotations

import ast
import inspect
import os
import pprint
import sys
import textwrap

os.environ.setdefault("KERAS_BACKEND", "numpy")

FAMILIES = ("numpy", "nn", "core", "linalg", "math", "image")
TARGET = os.path.join(
    os.path.dirname(__file__), os.pardir, "src", "lamina", "ops", "_keras_operations.py"
)


def _operation_calls(tree, classes):
    """(class name, init Call node, call Call node) for each `C(...)(...)` or
    `C(...).symbolic_call(...)` in the function."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "symbolic_call"
            and isinstance(func.value, ast.Call)
        ):
            init = func.value
        elif isinstance(func, ast.Call):
            init = func
        else:
            continue
        if isinstance(init.func, ast.Name) and init.func.id in classes:
            found.append((init.func.id, init, node))
    return found


def _delegate(tree):
    """The op a function hands its arguments to unchanged (`def abs(x): return
    absolute(x)`), or None."""
    fn = tree.body[0]
    body = [
        s for s in fn.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
    ]
    if len(body) == 1 and isinstance(body[0], ast.Return) and isinstance(body[0].value, ast.Call):
        call = body[0].value
        if isinstance(call.func, ast.Name):
            return call.func.id
    return None


def _param(expr, params):
    if isinstance(expr, ast.Name) and expr.id in params:
        return expr.id
    return None


def _describe(fn, cls_name, init, call, classes):
    params = list(inspect.signature(fn).parameters)
    cls = classes[cls_name]
    init_names = [
        p.name
        for p in inspect.signature(cls.__init__).parameters.values()
        if p.name != "self" and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    config = []
    for i, arg in enumerate(init.args):
        if isinstance(arg, ast.Starred) or i >= len(init_names):
            return None
        config.append((init_names[i], _param(arg, params)))
    for kw in init.keywords:
        if kw.arg is None:
            return None
        config.append((kw.arg, _param(kw.value, params)))
    args = []
    for arg in call.args:
        if isinstance(arg, ast.Starred):
            name = _param(arg.value, params)
            if name is None:
                return None
            args.append("*" + name)
        else:
            name = _param(arg, params)
            if name is None:
                return None
            args.append(name)
    kwargs = []
    for kw in call.keywords:
        if kw.arg is None:
            name = _param(kw.value, params)
            if name is None:
                return None
            kwargs.append(("**", name))
            continue
        name = _param(kw.value, params)
        if name is None:
            return None
        kwargs.append((kw.arg, name))
    signature = inspect.signature(fn).parameters
    used = [p for _, p in config] + [a.lstrip("*") for a in args] + [p for _, p in kwargs]
    defaults = {
        p: signature[p].default
        for p in used
        if p in signature
        and signature[p].default is not inspect.Parameter.empty
        and isinstance(signature[p].default, (type(None), bool, int, float, str))
    }
    return {
        "module": cls.__module__,
        "class_name": cls_name,
        # (config key, the op's parameter it holds; None when Keras stores a derived value)
        "config": tuple(config),
        "args": tuple(args),
        "kwargs": tuple(kwargs),
        # Keras's defaults: a parameter lamina's op lacks is accepted at its default
        "defaults": defaults,
    }


def main() -> None:
    import keras  # noqa: F401
    from keras.src.ops.operation import Operation

    table, aliases = {}, {}
    for family in FAMILIES:
        module = __import__(f"keras.src.ops.{family}", fromlist=["_"])
        classes = {
            name: obj
            for name, obj in vars(module).items()
            if isinstance(obj, type) and issubclass(obj, Operation) and obj is not Operation
        }
        public = set(dir(keras.ops)) | set(dir(getattr(keras.ops, family, None)))
        for name, fn in sorted(vars(module).items()):
            if (
                name.startswith("_")
                or not inspect.isfunction(fn)
                or fn.__module__ != module.__name__
            ):
                continue
            if name not in public:
                continue
            try:
                tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
            except (OSError, TypeError, SyntaxError):
                continue
            calls = _operation_calls(tree, classes)
            if len({c[0] for c in calls}) != 1:
                target = _delegate(tree)
                if target is not None:
                    aliases[name] = target
                continue
            entry = _describe(fn, calls[0][0], calls[0][1], calls[0][2], classes)
            if entry is not None and name not in table:
                table[name] = entry
    for name, target in aliases.items():  # `abs` records itself as `absolute` does
        if name not in table and target in table:
            table[name] = table[target]
    header = (
        '"""How Keras 3 records each op in a saved functional model (generated by\n'
        f"tools/keras_operations.py from Keras {keras.__version__}; do not edit by hand).\n\n"
        "op name -> module and class of Keras's operation, `config`: (config key, the\n"
        "op parameter it holds, None where Keras stores a derived value), `args` and\n"
        '`kwargs`: the op parameters the node\'s call arguments hold, in order."""\n\n'
    )
    body = "OPERATIONS = " + pprint.pformat(table, width=100, sort_dicts=True) + "\n"
    with open(TARGET, "w") as f:
        f.write(header + body)
    print(f"{len(table)} ops written to {os.path.normpath(TARGET)}", file=sys.stderr)


if __name__ == "__main__":
    main()
