"""What only the JAX engine promises: compiled training steps on the CPU
update donated weights in place, with no copy of a weight per step.

Runs when the suite runs on JAX (LAMINA_BACKEND=jax); skipped otherwise.
"""

import re

import numpy as np
import pytest

from lamina import config

if config.backend() != "jax":
    pytest.skip("JAX engine tests run with LAMINA_BACKEND=jax", allow_module_level=True)

import jax  # noqa: E402

import lamina  # noqa: E402
from lamina.backend.jax import functional  # noqa: E402

on_cpu = pytest.mark.skipif(jax.default_backend() != "cpu", reason="XLA's CPU compiler only")


def _mlp():
    model = lamina.Sequential(
        [
            lamina.Input((12,)),
            lamina.layers.Dense(16, activation="relu"),
            lamina.layers.Dense(16, activation="relu"),
            lamina.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def _data(n=64):
    rng = np.random.default_rng(0)
    return rng.random((n, 12), dtype=np.float32), rng.integers(0, 3, n)


@on_cpu
def test_cpu_compiles_with_region_analysis():
    assert functional._compiler_options() == {"xla_cpu_copy_insertion_use_region_analysis": True}


@on_cpu
def test_train_step_copies_no_weight():
    # Each kernel after the first is read by its layer's input gradient,
    # which the kernel's own update does not wait for: XLA's default copy
    # analysis then copies the donated kernel every step.
    model = _mlp()
    x, y = _data()
    model.fit(x, y, batch_size=32, epochs=1, verbose=0)
    step = model._function("train")
    state = model._train_state(model._state_variables())
    text = step.lower(state, x[:32], y[:32].astype("int32"), None).compile().as_text()
    entry = text[text.index("\nENTRY") :]
    copied = re.findall(r"= f32\[(\d+),(\d+)\]\{1,0\} copy\(", entry)
    assert copied == []


def test_training_matches_a_step_compiled_without_the_options():
    # The option changes where buffers live, never the numbers.
    x, y = _data()
    a, b = _mlp(), _mlp()
    b.set_weights(a.get_weights())
    a.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False)
    plain = jax.jit(b._train_step, donate_argnums=(0,))
    b._functions["train"] = plain
    b.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
