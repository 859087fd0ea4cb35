"""A variable on either side of Python's operators inside a layer's call
(`inputs * self.w`, `h @ self.kernel`, ...) trains like the explicit op.

On the NumPy engine the inputs of a step are plain arrays and the hidden
values are autograd boxes: both must hand the variable to the gradient tape,
not a converted copy of it."""

import numpy as np
import pytest

import lamina
from lamina import layers, ops

FORMS = {
    "array * w": lambda x, h, w, k: x * w,
    "w * array": lambda x, h, w, k: w * x,
    "array + w": lambda x, h, w, k: x + w,
    "array - w": lambda x, h, w, k: x - w,
    "array / w": lambda x, h, w, k: x / w,
    "hidden * w": lambda x, h, w, k: h * w,
    "hidden - w": lambda x, h, w, k: h - w,
    "hidden / w": lambda x, h, w, k: h / w,
    "hidden ** w": lambda x, h, w, k: ops.abs(h) ** w,
    "array @ k": lambda x, h, w, k: x @ k,
    "hidden @ k": lambda x, h, w, k: h @ k,
}
EXPLICIT = {
    "array * w": lambda x, h, w, k: ops.multiply(x, w.value),
    "w * array": lambda x, h, w, k: ops.multiply(w.value, x),
    "array + w": lambda x, h, w, k: ops.add(x, w.value),
    "array - w": lambda x, h, w, k: ops.subtract(x, w.value),
    "array / w": lambda x, h, w, k: ops.divide(x, w.value),
    "hidden * w": lambda x, h, w, k: ops.multiply(h, w.value),
    "hidden - w": lambda x, h, w, k: ops.subtract(h, w.value),
    "hidden / w": lambda x, h, w, k: ops.divide(h, w.value),
    "hidden ** w": lambda x, h, w, k: ops.power(ops.abs(h), w.value),
    "array @ k": lambda x, h, w, k: ops.matmul(x, k.value),
    "hidden @ k": lambda x, h, w, k: ops.matmul(h, k.value),
}


class _Form(layers.Layer):
    def __init__(self, form, **kwargs):
        super().__init__(**kwargs)
        self.form = form

    def build(self, input_shape):
        self.w = self.add_weight(shape=(4,), initializer="ones", name="w")
        self.k = self.add_weight(shape=(4, 4), initializer="glorot_uniform", name="k")
        self.h = self.add_weight(shape=(4,), initializer="ones", name="h")

    def call(self, x):
        hidden = ops.multiply(x, self.h.value) + 1.0
        return self.form(x, hidden, self.w, self.k)


def _trained(form):
    lamina.utils.set_random_seed(0)
    model = lamina.Sequential([lamina.Input((4,)), _Form(form)])
    model.compile(optimizer=lamina.optimizers.SGD(0.05), loss="mse")
    rng = np.random.default_rng(0)
    x = rng.uniform(0.5, 1.5, (16, 4)).astype("float32")
    model.fit(x, np.zeros((16, 4), "float32"), batch_size=8, epochs=2, verbose=0)
    return model.get_weights()


@pytest.mark.parametrize("name", sorted(FORMS))
def test_operators_on_variables_train_like_the_explicit_ops(name):
    ours, explicit = _trained(FORMS[name]), _trained(EXPLICIT[name])
    for a, b in zip(ours, explicit, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert not np.allclose(ours[0], 1.0) or name.endswith("@ k")  # `w` itself was trained
