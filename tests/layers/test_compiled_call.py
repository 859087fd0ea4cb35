"""Eager calls of whole layers and models (`model(x)`, `layer(x)` at top level).

On PyTensor a signature's second call compiles the whole call once and later
calls reuse it (lamina/layers/_compiled_call.py); every other engine runs
eager calls op by op. The tests check the same behaviour on every engine:
repeated calls agree with the first (eager) call, with `predict`, with a
`run_eagerly` model and with NumPy; state (moving statistics, dropout seeds)
evolves the same; whatever changes between calls is seen. Counting
compilations needs PyTensor's own counter, so those checks run there only.

Tolerances: compiled and eager float32 results agree to rtol/atol 1e-5 (fused
kernels round differently); dropout masks and integer results are identical.
"""

import numpy as np
import pytest

import lamina
from lamina import layers, ops
from lamina.backend import engine
from lamina.layers._masking import get_mask

TOL = {"rtol": 1e-5, "atol": 1e-5}
PYTENSOR = lamina.backend.backend() == "pytensor"
counts_compilations = pytest.mark.skipif(
    not PYTENSOR,
    reason="only the PyTensor engine compiles eager calls, and counts its compilations; "
    "elsewhere model(x) runs op by op",
)


def _np(x):
    return ops.convert_to_numpy(x)


def _compilations() -> int:
    return engine.functional._compilations


def _mlp(seed=0, dropout=None):
    lamina.utils.set_random_seed(seed)
    stack = [lamina.Input(shape=(6,)), layers.Dense(8, activation="relu")]
    if dropout is not None:
        stack.append(layers.Dropout(dropout, seed=seed))
    stack.append(layers.Dense(3, activation="softmax"))
    return lamina.Sequential(stack)


def _data(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def _dense_reference(model, x):
    """The MLP's output computed with NumPy from its current weights."""
    w1, b1, w2, b2 = model.get_weights()
    h = np.maximum(x @ w1 + b1, 0.0)
    logits = h @ w2 + b2
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# ---------------------------------------------------------------- results


def test_repeated_calls_match_the_first_call_predict_and_numpy():
    model, x = _mlp(), _data((5, 6))
    first = _np(model(x))
    for _ in range(3):
        np.testing.assert_allclose(_np(model(x)), first, **TOL)
    np.testing.assert_allclose(model.predict(x, verbose=0), first, **TOL)
    np.testing.assert_allclose(first, _dense_reference(model, x), **TOL)


def test_different_batch_sizes():
    model = _mlp()
    for batch in (4, 4, 1, 1, 7, 7, 4, 1):
        x = _data((batch, 6), seed=batch)
        np.testing.assert_allclose(_np(model(x)), _dense_reference(model, x), **TOL)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_conv_model_in_both_data_formats(data_format):
    lamina.utils.set_random_seed(1)
    shape = (8, 8, 2) if data_format == "channels_last" else (2, 8, 8)
    model = lamina.Sequential(
        [
            lamina.Input(shape=shape),
            layers.Conv2D(4, 3, activation="relu", data_format=data_format),
            layers.MaxPooling2D(2, data_format=data_format),
            layers.Flatten(),
            layers.Dense(2),
        ]
    )
    x = _data((3, *shape))
    first = _np(model(x))
    for _ in range(2):
        np.testing.assert_allclose(_np(model(x)), first, **TOL)
    np.testing.assert_allclose(model.predict(x, verbose=0), first, **TOL)
    model.run_eagerly = True
    np.testing.assert_allclose(_np(model(x)), first, **TOL)


def test_a_layer_called_at_top_level():
    lamina.utils.set_random_seed(2)
    dense = layers.Dense(3)
    x = _data((4, 5))
    for _ in range(3):
        out = _np(dense(x))  # the first call builds the layer
        kernel, bias = dense.get_weights()
        np.testing.assert_allclose(out, x @ kernel + bias, **TOL)


def test_a_subclassed_model_builds_on_its_first_call():
    class TwoLayers(lamina.Model):
        def __init__(self):
            super().__init__()
            self.hidden = layers.Dense(4, activation="tanh")
            self.out = layers.Dense(2)

        def call(self, inputs):
            return self.out(self.hidden(inputs))

    lamina.utils.set_random_seed(3)
    model, x = TwoLayers(), _data((3, 5))
    outs = [_np(model(x)) for _ in range(3)]
    w1, b1, w2, b2 = model.get_weights()
    expected = np.tanh(x @ w1 + b1) @ w2 + b2
    for out in outs:
        np.testing.assert_allclose(out, expected, **TOL)


# ---------------------------------------------------------------- state


def test_batch_normalization_moving_statistics_match_numpy():
    bn = layers.BatchNormalization(momentum=0.9, epsilon=1e-3)
    x = _data((16, 3)) * 2.0 + 1.0
    mean, var = np.zeros(3, "float32"), np.ones(3, "float32")
    batch_mean, batch_var = x.mean(axis=0), x.var(axis=0)
    for _ in range(4):
        out = _np(bn(x, training=True))
        mean = mean * 0.9 + batch_mean * 0.1
        var = var * 0.9 + batch_var * 0.1
        np.testing.assert_allclose(out, (x - batch_mean) / np.sqrt(batch_var + 1e-3), **TOL)
        np.testing.assert_allclose(bn.moving_mean.numpy(), mean, **TOL)
        np.testing.assert_allclose(bn.moving_variance.numpy(), var, **TOL)
    for _ in range(2):  # inference reads the statistics, and leaves them alone
        out = _np(bn(x, training=False))
        np.testing.assert_allclose(out, (x - mean) / np.sqrt(var + 1e-3), **TOL)
        np.testing.assert_allclose(bn.moving_mean.numpy(), mean, **TOL)


def _bn_model():
    lamina.utils.set_random_seed(4)
    return lamina.Sequential(
        [lamina.Input(shape=(3,)), layers.Dense(4), layers.BatchNormalization()]
    )


def test_batch_normalization_in_a_model_evolves_as_when_run_eagerly():
    x = _data((8, 3))
    compiled, eager = _bn_model(), _bn_model()
    eager.run_eagerly = True
    for training in (True, True, True, False, False, True):
        np.testing.assert_allclose(
            _np(compiled(x, training=training)), _np(eager(x, training=training)), **TOL
        )
        for a, b in zip(compiled.get_weights(), eager.get_weights()):
            np.testing.assert_allclose(a, b, **TOL)


def test_dropout_differs_per_call_and_repeats_under_a_seed():
    x = _data((4, 6))

    def outputs(run_eagerly):
        model = _mlp(seed=5, dropout=0.5)
        model.run_eagerly = run_eagerly
        return [_np(model(x, training=True)) for _ in range(4)], model

    outs, model = outputs(run_eagerly=False)
    for i in range(len(outs)):
        for j in range(i):
            assert not np.allclose(outs[i], outs[j])
    again, _ = outputs(run_eagerly=False)
    eager, _ = outputs(run_eagerly=True)
    for a, b, c in zip(outs, again, eager):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(a, c, **TOL)
    np.testing.assert_allclose(_np(model(x)), _dense_reference(model, x), **TOL)


# ---------------------------------------------------------------- changes between calls


def test_set_weights_and_assign_between_calls_are_seen():
    model, x = _mlp(), _data((5, 6))
    for _ in range(2):
        model(x)
    weights = [w * 0.5 + 0.1 for w in model.get_weights()]
    model.set_weights(weights)
    np.testing.assert_allclose(_np(model(x)), _dense_reference(model, x), **TOL)
    model.layers[-1].bias.assign(np.array([1.0, -1.0, 0.5], "float32"))
    np.testing.assert_allclose(_np(model(x)), _dense_reference(model, x), **TOL)


def test_trainable_flag_is_seen():
    model, x = _bn_model(), _data((8, 3))
    bn = model.layers[-1]
    for _ in range(2):
        model(x, training=True)
    frozen = bn.moving_mean.numpy()
    bn.trainable = False  # a frozen BatchNormalization runs in inference mode
    for _ in range(2):
        out = _np(model(x, training=True))
        np.testing.assert_array_equal(bn.moving_mean.numpy(), frozen)
    np.testing.assert_allclose(out, _np(model(x, training=False)), **TOL)


def test_training_kwargs_and_non_tensor_arguments_are_part_of_the_signature():
    class Scale(layers.Layer):
        def call(self, inputs, factor=1.0, mode="mul", training=None):
            out = inputs * factor if mode == "mul" else inputs + factor
            return out * 2.0 if training else out

    layer, x = Scale(), _data((2, 3))
    calls = [
        ({}, x),
        ({}, x),
        ({"factor": 3.0}, x * 3.0),
        ({"factor": 3.0}, x * 3.0),
        ({"factor": 3.0, "mode": "add"}, x + 3.0),
        ({"factor": 3.0, "mode": "add"}, x + 3.0),
        ({"training": True}, x * 2.0),
        ({"training": True}, x * 2.0),
        ({"factor": 2.0}, x * 2.0),
        ({}, x),
    ]
    for kwargs, expected in calls:
        np.testing.assert_allclose(_np(layer(x, **kwargs)), expected, **TOL)


def test_masks_pass_through():
    lamina.utils.set_random_seed(6)
    ids = np.array([[1, 2, 0, 0], [3, 0, 0, 0], [4, 5, 6, 0]], "int32")
    embed = lamina.Sequential(
        [lamina.Input(shape=(4,), dtype="int32"), layers.Embedding(7, 3, mask_zero=True)]
    )
    pool = layers.GlobalAveragePooling1D()
    vectors = np.array(_np(embed(ids)))  # a copy: no mask attached
    mask = ids != 0
    expected = (vectors * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
    for _ in range(3):
        out = embed(ids)
        np.testing.assert_array_equal(_np(get_mask(out)), mask)
        np.testing.assert_allclose(_np(pool(out)), expected, **TOL)
        np.testing.assert_allclose(_np(pool(vectors, mask=mask)), expected, **TOL)
    # The same arrays without a mask are another signature: plain averages.
    for _ in range(2):
        np.testing.assert_allclose(_np(pool(vectors)), vectors.mean(axis=1), **TOL)


# ---------------------------------------------------------------- eager fallbacks


def test_python_side_effects_run_on_every_call():
    class Recording(layers.Layer):
        def __init__(self):
            super().__init__()
            self.seen = []

        def call(self, inputs):
            self.seen.append(ops.shape(inputs))
            return inputs + 1.0

    layer, x = Recording(), _data((2, 3))
    for _ in range(3):
        np.testing.assert_allclose(_np(layer(x)), x + 1.0, **TOL)
    assert layer.seen == [(2, 3)] * 3


def test_losses_added_during_a_call_are_as_when_run_eagerly():
    def model(run_eagerly):
        lamina.utils.set_random_seed(7)
        m = lamina.Sequential(
            [lamina.Input(shape=(4,)), layers.Dense(3, activity_regularizer="l2")]
        )
        m.run_eagerly = run_eagerly
        return m

    x = _data((5, 4))
    compiled, eager = model(False), model(True)
    for _ in range(3):
        np.testing.assert_allclose(_np(compiled(x)), _np(eager(x)), **TOL)
    assert len(compiled.losses) == len(eager.losses) > 0
    for a, b in zip(compiled.losses, eager.losses):
        np.testing.assert_allclose(_np(a), _np(b), **TOL)


def test_calls_that_read_values_in_python_or_other_variables():
    class Sign(layers.Layer):
        def call(self, inputs):
            # A Python branch on the data: the same signature takes either path.
            return inputs if float(_np(ops.sum(inputs))) > 0 else -inputs

    class Shifted(layers.Layer):
        def __init__(self, shift):
            super().__init__()
            self._shift = [shift]  # not tracked: the layer does not own it

        def call(self, inputs):
            return inputs + self._shift[0].value

    sign, x = Sign(), np.abs(_data((2, 3)))
    for data in (x, -x, x, -x):
        np.testing.assert_allclose(_np(sign(data)), x, **TOL)
    shift = lamina.Variable(np.zeros(3, "float32"))
    shifted = Shifted(shift)
    for step in range(4):
        shift.assign(np.full(3, float(step), "float32"))
        np.testing.assert_allclose(_np(shifted(x)), x + step, **TOL)


def test_replaced_attributes_are_seen():
    class Offset(layers.Layer):
        def __init__(self):
            super().__init__()
            self.offset = ops.ones((3,))
            self._scale = ops.ones((3,))  # private, but a trace would bake it in
            self.power = 1

        def call(self, inputs):
            return (inputs * self._scale + self.offset) ** self.power

    layer, x = Offset(), _data((2, 3))
    for step in (1.0, 2.0, 3.0):
        layer.offset = ops.convert_to_tensor(np.full(3, step, "float32"))
        for _ in range(2):
            np.testing.assert_allclose(_np(layer(x)), x + step, **TOL)
    for step in (1.0, 2.0, 3.0):
        layer._scale = ops.convert_to_tensor(np.full(3, step, "float32"))
        for _ in range(2):
            np.testing.assert_allclose(_np(layer(x)), x * step + 3.0, **TOL)
    layer.power = 2
    for _ in range(2):
        np.testing.assert_allclose(_np(layer(x)), (x * 3.0 + 3.0) ** 2, **TOL)


def test_symbolic_and_traced_calls_still_work():
    model, x = _mlp(), _data((3, 6))
    for _ in range(2):
        model(x)
    assert isinstance(model(lamina.Input(shape=(6,))), lamina.KerasTensor)
    traced = engine.functional.compile(lambda t: model(t))
    np.testing.assert_allclose(_np(traced(ops.convert_to_tensor(x))), _np(model(x)), **TOL)


def test_fit_between_calls():
    model, (x, y) = _mlp(), (_data((16, 6)), np.arange(16) % 3)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    for _ in range(2):
        model(x)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    np.testing.assert_allclose(_np(model(x)), _dense_reference(model, x), **TOL)
    np.testing.assert_allclose(model.predict(x, verbose=0), _dense_reference(model, x), **TOL)


# ---------------------------------------------------------------- compilation counts


@counts_compilations
def test_a_signature_compiles_on_its_second_call_and_is_reused():
    model, x = _mlp(), _data((5, 6))
    start = _compilations()
    model(x)
    assert _compilations() == start  # the first call runs eagerly
    model(x)
    assert _compilations() == start + 1
    for _ in range(3):
        model(x)
    model.set_weights([w + 1.0 for w in model.get_weights()])  # values are inputs
    model(x)
    assert _compilations() == start + 1
    model(x, training=True)
    model(x, training=True)
    assert _compilations() == start + 2


@counts_compilations
def test_compiled_calls_survive_fit_and_a_layer_compiles_alone():
    model, (x, y) = _mlp(), (_data((16, 6)), np.arange(16) % 3)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    for _ in range(2):
        model(x)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    start = _compilations()
    model(x)
    assert _compilations() == start
    dense = model.layers[0]
    for _ in range(3):
        dense(x)
    assert _compilations() == start + 1


@counts_compilations
def test_run_eagerly_and_side_effects_never_compile():
    class Recording(layers.Layer):
        def __init__(self):
            super().__init__()
            self.seen = []

        def call(self, inputs):
            self.seen.append(1)
            return inputs

    model, x = _mlp(), _data((5, 6))
    model.run_eagerly = True
    recording = Recording()
    start = _compilations()
    for _ in range(3):
        model(x)
        recording(x)
    assert _compilations() == start
