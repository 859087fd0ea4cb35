"""Suite-wide settings: isolated config home, quiet import, strict warnings.

The engine is fixed per process by LAMINA_BACKEND (see `make test`, which runs
the suite once per engine).
"""

import os
import sys
import tempfile

# Never touch the user's ~/.lamina: every run gets its own home.
os.environ["LAMINA_HOME"] = tempfile.mkdtemp(prefix="lamina-test-home-")
os.environ.pop("LAMINA_CONFIG", None)
os.environ.setdefault("LAMINA_QUIET", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# JAX compiles every new op shape; its on-disk cache makes repeated runs fast.
_jax_cache = os.path.join(os.path.expanduser("~"), ".cache", "lamina-tests", "jax")
os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", _jax_cache)
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "0")
for _key in ("LAMINA_FLOATX", "LAMINA_EPSILON", "LAMINA_IMAGE_DATA_FORMAT"):
    os.environ.pop(_key, None)

import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture
def keras_training_ref(keras_ref):
    """The directory's `keras_ref`, for tests that train Keras as well."""
    if keras_ref.backend.backend() == "numpy":
        pytest.skip(
            "Keras 3's numpy backend is inference-only: its fit and train_on_batch raise "
            "NotImplementedError"
        )
    return keras_ref


_KERAS_BACKEND_AT_START = os.environ.get("KERAS_BACKEND")


@pytest.fixture(autouse=True)
def _keras_backend_env_is_restored():
    # Parity helpers point KERAS_BACKEND at lamina's engine. Keras has no backend
    # for some engines (pytensor), and a value it does not know breaks every later
    # import of keras, TensorFlow's own included.
    # A failed `import keras` also leaves its half-imported modules behind, which
    # the next import reuses: drop them.
    # Higher-scoped fixtures set it before this one starts: restore the session's value.
    before = _KERAS_BACKEND_AT_START
    yield
    if before is None:
        os.environ.pop("KERAS_BACKEND", None)
    else:
        os.environ["KERAS_BACKEND"] = before
    keras_config = sys.modules.get("keras.src.backend.config")
    if keras_config is not None and "keras" not in sys.modules:
        for name in [m for m in sys.modules if m.startswith("keras.")]:
            del sys.modules[name]


@pytest.fixture(autouse=True)
def _keras_numpy_traces_quietly():
    # Keras 3's NumPy backend infers output shapes by running `call` on
    # np.empty arrays: whatever the memory held, so an add may overflow and
    # warn, which this suite's strict warnings turn into a failure. Those
    # numbers are never used; only Keras's tracing is quietened, never lamina.
    core = sys.modules.get("keras.src.backend.numpy.core")
    if core is not None and not hasattr(core.compute_output_spec, "_quiet"):
        original = core.compute_output_spec

        def compute_output_spec(*args, **kwargs):
            with np.errstate(all="ignore"):
                return original(*args, **kwargs)

        compute_output_spec._quiet = True
        for name in (
            "keras.src.backend.numpy.core",
            "keras.src.backend.numpy",
            "keras.src.backend",
        ):
            module = sys.modules.get(name)
            if module is not None and getattr(module, "compute_output_spec", None) is original:
                module.compute_output_spec = compute_output_spec
    yield


@pytest.fixture(autouse=True)
def _fixed_seed():
    np.random.seed(1337)
    yield


# torch's Tensor.__array__ and __array_wrap__ predate NumPy 2's signatures, so
# NumPy warns whenever it converts or wraps a torch tensor (Keras's own torch
# backend converts with np.array). The warnings are torch's, not lamina's.
_TORCH_NUMPY_WARNINGS = (
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning",
    "ignore:__array_wrap__ must accept context and return_scalar:DeprecationWarning",
)


def pytest_configure(config):
    from lamina import config as lamina_config

    if lamina_config.backend() == "torch":
        for line in _TORCH_NUMPY_WARNINGS:
            config.addinivalue_line("filterwarnings", line)
        import torch

        # torch lets cuDNN convolutions run in TF32 (a 10-bit mantissa) on
        # Ampere and later GPUs unless told otherwise: up to 5e-3 off for a
        # 3-D conv. The float32 checks here need float32 arithmetic. lamina
        # leaves the setting to the user, as torch and Keras do (architecture.md).
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cuda.matmul.allow_tf32 = False


def pytest_report_header(config):
    import lamina

    return f"lamina backend: {lamina.backend.backend()}"
