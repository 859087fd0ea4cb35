"""What only the JAX engine promises: compiled training steps on the CPU
update donated weights in place, with no copy of a weight per step, and
leave convolutions to XLA's own kernels.

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


def _convnet():
    model = lamina.Sequential(
        [
            lamina.Input((12, 12, 1)),
            lamina.layers.Conv2D(16, 3, activation="relu"),
            lamina.layers.MaxPooling2D(2),
            lamina.layers.Conv2D(32, 3, activation="relu"),
            lamina.layers.Flatten(),
            lamina.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def _images(n=32):
    rng = np.random.default_rng(1)
    return rng.random((n, 12, 12, 1), dtype=np.float32), rng.integers(0, 3, n)


def _compiled_train_step(model, x, y):
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    step = model._function("train")
    state = model._train_state(model._state_variables())
    text = step.lower(state, x[:16], y[:16].astype("int32"), None).compile().as_text()
    return text[text.index("\nENTRY") :]


@on_cpu
def test_cpu_compile_options():
    assert functional._compiler_options() == {
        "xla_cpu_copy_insertion_use_region_analysis": True,
        "xla_cpu_experimental_ynn_fusion_type": "LIBRARY_FUSION_TYPE_DOT,LIBRARY_FUSION_TYPE_REDUCE",
    }


@on_cpu
def test_convolutions_are_left_to_xla():
    # The step's five convolutions (two forward, two kernel gradients and
    # the second layer's input gradient) run as XLA's own convolution ops.
    # By default YNNPACK takes those with enough channels, here two.
    entry = _compiled_train_step(_convnet(), *_images())
    assert len(re.findall(r" convolution\(", entry)) == 5


@on_cpu
def test_an_option_xla_lacks_is_left_out(monkeypatch):
    monkeypatch.setattr(functional, "_options_checked", [])
    monkeypatch.setattr(
        functional,
        "_CPU_OPTIONS",
        (("xla_cpu_no_such_option", True),) + functional._CPU_OPTIONS[:1],
    )
    assert functional._compiler_options() == {"xla_cpu_copy_insertion_use_region_analysis": True}


@on_cpu
def test_train_step_copies_no_weight():
    # Each kernel after the first is read by its layer's input gradient,
    # which the kernel's own update does not wait for: XLA's default copy
    # analysis then copies the donated kernel every step.
    entry = _compiled_train_step(_mlp(), *_data())
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


def test_convnet_training_matches_a_step_compiled_without_the_options():
    # XLA's convolution kernels sum in another order than YNNPACK's: the
    # same numbers up to float32 rounding, which Adam's normalized steps carry
    # over two epochs (about 1e-6 on weights of 1e-2).
    x, y = _images()
    a, b = _convnet(), _convnet()
    b.set_weights(a.get_weights())
    a.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False)
    b._functions["train"] = jax.jit(b._train_step, donate_argnums=(0,))
    b.fit(x, y, batch_size=16, epochs=2, verbose=0, shuffle=False)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-4, atol=1e-5)
