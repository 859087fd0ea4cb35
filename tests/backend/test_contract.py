"""The backend contract (docs/backend-contract.md): every engine that lamina
implements exports the same functions, with the same signatures, and every
public op resolves to one of them.

The engines not selected for this process are imported too, when installed:
their lamina packages only import their engine and lamina's config.
"""

import importlib
import inspect

import pytest

from lamina import ops
from lamina.backend import engine
from lamina.backend._engines import CONTRACT_MODULES, ENGINES, IMPLEMENTED, OPTIONAL_MODULES

# The functions docs/backend-contract.md names for these modules.
CONTRACT = {
    "core": """convert_to_tensor convert_to_numpy is_tensor shape dtype cast stop_gradient
        device_names default_device engine_version cond scan fori_loop custom_gradient""",
    "numpy": """add subtract multiply divide floor_divide mod power negative abs sign sqrt
        square exp log log1p expm1 sin cos tanh erf round floor ceil maximum minimum clip
        where isnan isinf isfinite equal not_equal greater greater_equal less less_equal
        logical_and logical_or logical_not sum mean max min prod var std any all argmax
        argmin logsumexp count_nonzero cumsum matmul dot einsum tensordot reshape transpose
        expand_dims squeeze concatenate stack split tile repeat pad broadcast_to flip
        moveaxis take take_along_axis slice zeros ones full zeros_like ones_like full_like copy
        arange eye top_k in_top_k sort argsort tan sinh cosh arcsin arccos arctan arcsinh
        arccosh arctanh log2 log10 exp2 i0 arctan2 fmod nextafter gcd lcm cumprod bitwise_and
        bitwise_or bitwise_xor bitwise_not left_shift right_shift view""",
    "random": "normal uniform truncated_normal randint dropout shuffle gamma beta binomial categorical",
    "linalg": "inv solve cholesky det qr svd norm eigh",
    "math": "segment_sum segment_max erfc erfinv fft fft2 ifft2 rfft irfft",
}
CONTRACT = {module: set(names.split()) for module, names in CONTRACT.items()}

INSTALLED = [name for name in IMPLEMENTED if ENGINES[name].installed()]


def _module(engine_name, module):
    return importlib.import_module(f"lamina.backend.{engine_name}.{module}")


def _public_functions(mod):
    """The public functions a backend module defines itself (not what it imports)."""
    return {
        name: value
        for name, value in vars(mod).items()
        if not name.startswith("_")
        and inspect.isfunction(value)
        and value.__module__ == mod.__name__
    }


@pytest.mark.parametrize("module", CONTRACT_MODULES)
def test_engines_export_the_same_functions(module):
    names = {e: set(_public_functions(_module(e, module))) for e in INSTALLED}
    first = INSTALLED[0]
    for other in INSTALLED[1:]:
        assert names[first] == names[other], (
            f"{module}: only in {first}: {sorted(names[first] - names[other])}; "
            f"only in {other}: {sorted(names[other] - names[first])}"
        )


@pytest.mark.parametrize("module", CONTRACT_MODULES)
def test_engines_share_signatures(module):
    functions = {e: _public_functions(_module(e, module)) for e in INSTALLED}
    first = INSTALLED[0]
    for name, fn in functions[first].items():
        for other in INSTALLED[1:]:
            if name in functions[other]:
                assert inspect.signature(fn) == inspect.signature(functions[other][name]), (
                    f"{module}.{name} differs between {first} and {other}"
                )


@pytest.mark.parametrize("module", sorted(CONTRACT))
@pytest.mark.parametrize("engine_name", INSTALLED)
def test_engine_provides_the_documented_functions(engine_name, module):
    names = set(_public_functions(_module(engine_name, module)))
    assert names == CONTRACT[module], (
        f"{engine_name}.{module}: missing {sorted(CONTRACT[module] - names)}, "
        f"not in the contract {sorted(names - CONTRACT[module])}"
    )


@pytest.mark.parametrize("engine_name", INSTALLED)
def test_skips_name_contract_functions(engine_name):
    package = importlib.import_module(f"lamina.backend.{engine_name}")
    for qualified, reason in package.SKIPS.items():
        module, _, name = qualified.rpartition(".")
        assert module in CONTRACT_MODULES and hasattr(_module(engine_name, module), name), (
            qualified
        )
        assert reason, f"{qualified} is skipped without a reason"


# The optional modules: an engine may leave one out; if it has it, it has all
# of these functions, taking the buffers (lists of tensors) positionally and the
# rest by keyword.
_FUSED_KEYWORDS = ["learning_rate", "weight_decay", "decayed", "reuse"]
OPTIONAL = {
    "optimizers": {
        "sgd": (["variables", "gradients", "momentums"], ["momentum", "nesterov"]),
        "adam": (
            ["variables", "gradients", "momentums", "velocities", "velocity_hats"],
            ["iteration", "beta_1", "beta_2", "epsilon"],
        ),
        "rmsprop": (
            ["variables", "gradients", "velocities", "momentums", "average_gradients"],
            ["rho", "momentum", "epsilon", "centered"],
        ),
    },
}


def test_optional_modules_are_listed():
    assert set(OPTIONAL) == set(OPTIONAL_MODULES)


@pytest.mark.parametrize("module", OPTIONAL_MODULES)
@pytest.mark.parametrize("engine_name", INSTALLED)
def test_optional_module_provides_the_documented_functions(engine_name, module):
    try:
        mod = _module(engine_name, module)
    except ModuleNotFoundError:
        pytest.skip(f"{engine_name} has no {module} module")
    functions = _public_functions(mod)
    assert set(functions) == set(OPTIONAL[module])
    for name, fn in functions.items():
        positional, keywords = OPTIONAL[module][name]
        parameters = inspect.signature(fn).parameters.values()
        assert [p.name for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD] == positional
        assert {p.name for p in parameters if p.kind is p.KEYWORD_ONLY} == set(
            keywords + _FUSED_KEYWORDS
        ), name
    # The engine package exposes it, where the optimizers look for it.
    package = importlib.import_module(f"lamina.backend.{engine_name}")
    assert getattr(package, module) is mod


# --------------------------------------------------------------------------- lamina.ops

OPS_MODULES = [m for m in CONTRACT_MODULES if m != "functional"] + ["functional"]


@pytest.mark.parametrize("module", OPS_MODULES)
def test_every_public_op_is_a_documented_function(module):
    ops_module = importlib.import_module(f"lamina.ops.{module}")
    for name in ops_module.__all__:
        op = getattr(ops_module, name)
        assert callable(op), f"lamina.ops.{module}.{name}"
        assert inspect.getdoc(op), f"lamina.ops.{module}.{name} has no docstring"


@pytest.mark.parametrize("module", sorted(CONTRACT))
def test_ops_expose_every_backend_function(module):
    # Each backend function has its public op; ops written from other ops (tril,
    # pinv, ...) need no backend function.
    ops_module = importlib.import_module(f"lamina.ops.{module}")
    backend_names = set(_public_functions(getattr(engine, module)))
    assert backend_names - set(ops_module.__all__) == set()


@pytest.mark.parametrize("module", sorted(CONTRACT))
def test_ops_keep_the_backend_signature(module):
    ops_module = importlib.import_module(f"lamina.ops.{module}")
    for name, fn in _public_functions(getattr(engine, module)).items():
        op_params = list(inspect.signature(getattr(ops_module, name)).parameters)
        assert op_params == list(inspect.signature(fn).parameters), f"{module}.{name}"


def test_ops_namespace():
    assert ops.add is importlib.import_module("lamina.ops.numpy").add
    assert ops.random.normal is importlib.import_module("lamina.ops.random").normal


@pytest.mark.parametrize("engine_name", IMPLEMENTED)
def test_engine_core_can_leave_a_trace(engine_name):
    # Variables are made inside `_eager_scope()` (backend/_variable.py).
    assert callable(getattr(_module(engine_name, "core"), "_eager_scope", None))
