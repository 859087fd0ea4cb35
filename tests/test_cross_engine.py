"""Same script, same results: every installed engine trains the same model to the
same loss, and weights saved on any engine load on any other with the same
predictions.

Each engine runs in its own process (the engine is fixed per process). The check
covers all engines at once, so it runs in one pass of the suite only: the pass of
the first installed engine.
"""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import lamina
from lamina._engines import ENGINES, IMPLEMENTED

INSTALLED = [name for name in IMPLEMENTED if ENGINES[name].installed()]

pytestmark = pytest.mark.skipif(
    lamina.backend.backend() != INSTALLED[0],
    reason=f"the cross-engine check covers every engine at once; it runs in the {INSTALLED[0]} pass",
)

SCRIPT = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import lamina
    from lamina import layers

    mode, folder = sys.argv[1], sys.argv[2]
    lamina.utils.set_random_seed(7)
    model = lamina.Sequential([
        lamina.Input(shape=(8, 8, 1)),
        layers.Conv2D(4, 3, activation="relu"),
        layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dense(10, activation="softmax"),
    ])
    rng = np.random.default_rng(0)
    x = rng.random((64, 8, 8, 1), dtype=np.float32)
    y = rng.integers(0, 10, size=64).astype("int32")
    engine = lamina.backend.backend()
    if mode == "train":
        initial = [w.tolist() for w in model.get_weights()]
        model.compile(optimizer=lamina.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
        history = model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
        model.save_weights(f"{folder}/{engine}.weights.h5")
        out = {"loss": history.history["loss"][-1], "initial": initial,
               "pred": model.predict(x[:8], verbose=0).tolist()}
    else:
        out = {}
        for source in sys.argv[3:]:
            model.load_weights(f"{folder}/{source}.weights.h5")
            out[source] = model.predict(x[:8], verbose=0).tolist()
    print("RESULT " + json.dumps(out))
    """
)


def _run(engine: str, *args: str) -> dict:
    env = dict(os.environ, LAMINA_BACKEND=engine, LAMINA_QUIET="1", TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args], capture_output=True, text=True, env=env, timeout=600
    )
    assert proc.returncode == 0, f"{engine}: {proc.stderr[-3000:]}"
    line = next(line for line in proc.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


@pytest.mark.skipif(len(INSTALLED) < 2, reason="needs at least two installed engines")
def test_engines_agree_on_training_and_share_weights(tmp_path):
    trained = {engine: _run(engine, "train", str(tmp_path)) for engine in INSTALLED}
    reference = trained[INSTALLED[0]]
    for engine, result in trained.items():
        # Initializers draw on the host, so every engine starts from the same weights.
        for ours, theirs in zip(result["initial"], reference["initial"]):
            np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs), err_msg=engine)
        np.testing.assert_allclose(result["loss"], reference["loss"], rtol=1e-4, err_msg=engine)
    for engine in INSTALLED:
        loaded = _run(engine, "load", str(tmp_path), *INSTALLED)
        for source, predictions in loaded.items():
            np.testing.assert_allclose(
                np.asarray(predictions),
                np.asarray(trained[source]["pred"]),
                atol=1e-5,
                err_msg=f"weights saved on {source}, loaded on {engine}",
            )
