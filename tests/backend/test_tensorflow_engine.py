"""What only the TensorFlow engine promises: compiled calls that skip
tf.function's dispatch, and cross-entropies that read a softmax's logits.

Runs when the suite runs on TensorFlow (LAMINA_BACKEND=tensorflow); skipped otherwise.
"""

import warnings

import numpy as np
import pytest

from lamina import config, ops

if config.backend() != "tensorflow":
    pytest.skip(
        "TensorFlow engine tests run with LAMINA_BACKEND=tensorflow", allow_module_level=True
    )

import tensorflow as tf  # noqa: E402

import lamina  # noqa: E402
from lamina.backend.tensorflow import functional, nn  # noqa: E402


def _step(state, x, scale):
    w, b = state
    y = tf.matmul(x, w) + b
    return [w - 0.1, b + 0.1], tf.reduce_sum(y) * scale


def test_repeated_calls_trace_once_and_run_the_traced_graph():
    compiled = functional.compile(_step)
    state = [tf.ones((3, 2)), tf.zeros((2,))]
    x = np.ones((4, 3), "float32")
    for _ in range(3):
        state, total = compiled(state, x, 2.0)
    assert compiled.experimental_get_tracing_count() == 1
    assert len(compiled._concrete) == 1
    (concrete,) = compiled._concrete.values()
    assert concrete is not None  # the fast path ran, not the tf.function's call
    np.testing.assert_allclose(state[0].numpy(), np.full((3, 2), 0.7), rtol=1e-6)
    np.testing.assert_allclose(float(total), 4 * 2 * (3 * 0.8 + 0.2) * 2.0, rtol=1e-6)


def test_a_python_constant_is_part_of_the_key():
    compiled = functional.compile(_step)
    state = [tf.ones((3, 2)), tf.zeros((2,))]
    x = np.ones((1, 3), "float32")
    assert float(compiled(state, x, 1.0)[1]) == pytest.approx(6.0)
    assert float(compiled(state, x, 3.0)[1]) == pytest.approx(18.0)
    assert len(compiled._concrete) == 2


def test_calls_it_cannot_key_go_through_tf_function():
    compiled = functional.compile(lambda d: d["a"] * 2.0)
    assert float(compiled({"a": tf.constant(2.0)})) == 4.0
    assert not compiled._concrete
    # Keyword arguments and variables too.
    assert float(compiled(d={"a": 1.0})) == 2.0
    square = functional.compile(lambda v: v * v)
    assert float(square(tf.Variable(3.0))) == 9.0
    assert not square._concrete


def test_a_gradient_tape_sees_through_the_direct_call():
    compiled = functional.compile(lambda ws, x: tf.reduce_sum(ws[0] * x) + ws[1])
    weights = [tf.constant([1.0, 2.0]), tf.constant(3.0)]
    for _ in range(2):  # the second call takes the direct path
        with tf.GradientTape() as tape:
            tape.watch(weights)
            total = compiled(weights, tf.constant([3.0, 4.0]))
        grads = tape.gradient(total, weights)
        assert float(total) == 14.0
        np.testing.assert_array_equal(grads[0].numpy(), [3.0, 4.0])
        assert float(grads[1]) == 1.0
    assert len(compiled._concrete) == 1


def test_inside_another_compiled_function_it_is_an_ordinary_call():
    inner = functional.compile(lambda x: x + 1.0)
    outer = tf.function(lambda x: inner(x) * 2.0)
    assert float(outer(tf.constant(1.0))) == 4.0
    assert not inner._concrete


def _saturated():
    # The second class's probability is exp(-60) ~ 1e-26, far below epsilon.
    logits = tf.constant([[0.0, -60.0], [3.0, 1.0]])
    return logits, np.array([1, 0])


def test_cross_entropy_of_a_softmax_output_uses_its_logits():
    logits, target = _saturated()
    exact = nn.sparse_categorical_crossentropy(target, logits, from_logits=True)
    probabilities = lamina.activations.softmax(logits)
    got = nn.sparse_categorical_crossentropy(target, probabilities)
    np.testing.assert_allclose(got.numpy(), exact.numpy(), rtol=1e-6)
    assert got.numpy()[0] == pytest.approx(60.0, rel=1e-5)  # not -log(epsilon) = 16.1
    # The same inside a compiled function, from a bare tf.nn.softmax op.
    compiled = tf.function(lambda z: nn.sparse_categorical_crossentropy(target, tf.nn.softmax(z)))
    np.testing.assert_allclose(compiled(logits).numpy(), exact.numpy(), rtol=1e-6)
    # One-hot targets and sigmoids likewise.
    one_hot = tf.one_hot(target, 2)
    got = nn.categorical_crossentropy(one_hot, lamina.activations.softmax(logits))
    np.testing.assert_allclose(got.numpy(), exact.numpy(), rtol=1e-6)
    z = tf.constant([[-40.0], [2.0]])
    got = nn.binary_crossentropy(tf.ones((2, 1)), lamina.activations.sigmoid(z))
    exact = nn.binary_crossentropy(tf.ones((2, 1)), z, from_logits=True)
    np.testing.assert_allclose(got.numpy(), exact.numpy(), rtol=1e-6)


def test_a_softmax_over_another_axis_keeps_its_probabilities():
    logits = tf.constant([[0.0, -60.0], [3.0, 1.0]])
    probabilities = lamina.activations.softmax(logits, axis=0)
    target = tf.constant([[1.0, 0.0], [0.0, 1.0]])
    got = nn.categorical_crossentropy(target, probabilities, axis=-1)
    normalised = probabilities.numpy() / probabilities.numpy().sum(-1, keepdims=True)
    want = -np.log(np.clip((target.numpy() * normalised).sum(-1), 1e-7, 1 - 1e-7))
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-5)


def test_from_logits_on_a_softmax_output_warns_and_uses_its_logits():
    logits, target = _saturated()
    probabilities = lamina.activations.softmax(logits)
    with pytest.warns(UserWarning, match="from_logits=True.*softmax"):
        got = nn.sparse_categorical_crossentropy(target, probabilities, from_logits=True)
    exact = nn.sparse_categorical_crossentropy(target, logits, from_logits=True)
    np.testing.assert_allclose(got.numpy(), exact.numpy(), rtol=1e-6)


def test_plain_probabilities_are_clipped_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = ops.sparse_categorical_crossentropy(np.array([1]), np.array([[1.0, 0.0]], "float32"))
    assert float(got[0]) == pytest.approx(-np.log(1e-7), rel=1e-4)


def _fused_adam(shapes):
    from lamina.backend.tensorflow import optimizers as fused

    @tf.function(autograph=False)
    def update(values):
        result = fused.adam(
            values,
            values,
            values,
            values,
            None,
            learning_rate=tf.constant(0.001),
            iteration=tf.constant(0),
            beta_1=0.9,
            beta_2=0.999,
            epsilon=1e-7,
            weight_decay=None,
            decayed=None,
            reuse=None,
        )
        return result is not None

    return update([tf.ones(shape) for shape in shapes])


def test_adam_is_fused_only_for_updates_large_enough_to_gain():
    from lamina.backend.tensorflow import optimizers as fused

    assert not _fused_adam([(3, 3, 1, 32), (32,), (1600, 10)])
    big = (fused.FUSE_MIN_ELEMENTS // 512, 512)
    assert _fused_adam([big, (512,)])
