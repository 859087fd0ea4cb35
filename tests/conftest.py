"""Suite-wide settings: isolated config home, quiet import, strict warnings.

The engine is fixed per process by LAMINA_BACKEND (see `make test`, which runs
the suite once per engine).
"""

import os
import tempfile

# Never touch the user's ~/.lamina: every run gets its own home.
os.environ["LAMINA_HOME"] = tempfile.mkdtemp(prefix="lamina-test-home-")
os.environ.pop("LAMINA_CONFIG", None)
os.environ.setdefault("LAMINA_QUIET", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
for _key in ("LAMINA_FLOATX", "LAMINA_EPSILON", "LAMINA_IMAGE_DATA_FORMAT"):
    os.environ.pop(_key, None)

import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _fixed_seed():
    np.random.seed(1337)
    yield


def pytest_report_header(config):
    import lamina

    return f"lamina backend: {lamina.backend.backend()}"
