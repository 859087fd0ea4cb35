"""Moving averages of the weights (use_ema) and gradient accumulation.

Each optimizer's variables (the weights' averages and the accumulators
included, in Keras's order) must hold Keras 3's numbers after every step, on
the same engine; eagerly, and inside a compiled step, where update code
cannot branch on tensor values.
"""

import numpy as np
import pytest

import lamina
from lamina import callbacks, layers, ops, optimizers
from lamina.backend._variable import Variable

TOLERANCE = 1e-6
STEPS = 7

CONFIGS = [
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "use_ema": True}),
    ("SGD", {"learning_rate": 0.1, "use_ema": True, "ema_momentum": 0.5}),
    ("Adam", {"use_ema": True, "ema_overwrite_frequency": 3}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "gradient_accumulation_steps": 3}),
    ("Adam", {"learning_rate": 0.01, "gradient_accumulation_steps": 2, "clipnorm": 0.5}),
    ("AdamW", {"weight_decay": 0.1, "gradient_accumulation_steps": 3}),
    ("Nadam", {"gradient_accumulation_steps": 2}),
    ("RMSprop", {"gradient_accumulation_steps": 2, "use_ema": True}),
    ("Adam", {"gradient_accumulation_steps": 2, "use_ema": True, "ema_overwrite_frequency": 2}),
]


def _data():
    rng = np.random.default_rng(11)
    weights = [rng.normal(size=(3, 4)).astype("float32"), rng.normal(size=(4,)).astype("float32")]
    grads = [[rng.normal(size=w.shape).astype("float32") for w in weights] for _ in range(STEPS)]
    return weights, grads


def _keras_steps(keras, name, kwargs, weights, grads):
    variables = [keras.Variable(w) for w in weights]
    optimizer = getattr(keras.optimizers, name)(**kwargs)
    history = []
    for step_grads in grads:
        optimizer.apply([keras.ops.convert_to_tensor(g) for g in step_grads], variables)
        history.append(
            (
                [keras.ops.convert_to_numpy(keras.ops.add(v, 0)) for v in variables],
                [keras.ops.convert_to_numpy(keras.ops.add(v, 0)) for v in optimizer.variables],
                int(keras.ops.convert_to_numpy(optimizer.iterations)),
            )
        )
    return history


def _lamina_eager(name, kwargs, weights, grads):
    variables = [Variable(w, name=f"w{i}") for i, w in enumerate(weights)]
    optimizer = getattr(optimizers, name)(**kwargs)
    history = []
    for step_grads in grads:
        optimizer.apply(step_grads, variables)
        history.append(
            (
                [v.numpy() for v in variables],
                [v.numpy() for v in optimizer.variables],
                int(ops.convert_to_numpy(optimizer.iterations)),
            )
        )
    return history


def _lamina_compiled(name, kwargs, weights, grads):
    variables = [Variable(w, name=f"w{i}") for i, w in enumerate(weights)]
    optimizer = getattr(optimizers, name)(**kwargs)
    optimizer.build(variables)
    compiled = ops.compile(
        lambda values, slots, step_grads: optimizer.stateless_apply(slots, step_grads, values)
    )
    values = [v.value for v in variables]
    slots = [v.value for v in optimizer.variables]
    history = []
    for step_grads in grads:
        values, slots = compiled(values, slots, [ops.convert_to_tensor(g) for g in step_grads])
        numbers = [ops.convert_to_numpy(s) for s in slots]
        iterations = int(numbers[0])
        if optimizer.gradient_accumulation_steps:
            iterations //= optimizer.gradient_accumulation_steps
        history.append(([ops.convert_to_numpy(v) for v in values], numbers, iterations))
    return history


@pytest.mark.parametrize("run", [_lamina_eager, _lamina_compiled], ids=["eager", "compiled"])
@pytest.mark.parametrize(("name", "kwargs"), CONFIGS, ids=lambda c: str(c))
def test_matches_keras_step_by_step(keras_ref, run, name, kwargs):
    weights, grads = _data()
    expected = _keras_steps(keras_ref, name, kwargs, weights, grads)
    actual = run(name, kwargs, weights, grads)
    for step, (want, got) in enumerate(zip(expected, actual, strict=True)):
        want_weights, want_slots, want_iterations = want
        got_weights, got_slots, got_iterations = got
        assert got_iterations == want_iterations, f"iterations after step {step}"
        assert len(got_slots) == len(want_slots), "optimizer variables differ from Keras's"
        for w, g in zip(want_weights + want_slots, got_weights + got_slots, strict=True):
            np.testing.assert_allclose(g, w, rtol=0, atol=TOLERANCE, err_msg=f"step {step}")


@pytest.mark.parametrize(("name", "kwargs"), CONFIGS, ids=lambda c: str(c))
def test_compiled_matches_eager(name, kwargs):
    # Every engine, PyTensor included (it has no Keras to compare with).
    weights, grads = _data()
    eager = _lamina_eager(name, kwargs, weights, grads)
    compiled = _lamina_compiled(name, kwargs, weights, grads)
    for (ew, es, ei), (cw, cs, ci) in zip(eager, compiled, strict=True):
        assert ei == ci
        for e, c in zip(ew + es, cw + cs, strict=True):
            np.testing.assert_allclose(c, e, rtol=0, atol=TOLERANCE)


def test_accumulation_updates_once_per_group_of_batches():
    weights, grads = _data()
    history = _lamina_eager(
        "SGD", {"learning_rate": 0.5, "gradient_accumulation_steps": 3}, weights, grads
    )
    # Batches 1 and 2 only accumulate; the third updates with the mean of three.
    for step in (0, 1):
        np.testing.assert_array_equal(history[step][0][0], weights[0])
    mean = (grads[0][0] + grads[1][0] + grads[2][0]) / 3
    np.testing.assert_allclose(history[2][0][0], weights[0] - 0.5 * mean, rtol=1e-6)
    assert [h[2] for h in history] == [0, 0, 1, 1, 1, 2, 2]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"gradient_accumulation_steps": 1}, "gradient_accumulation_steps"),
        ({"gradient_accumulation_steps": 2.5}, "gradient_accumulation_steps"),
        ({"use_ema": True, "ema_momentum": 1.5}, "ema_momentum"),
        ({"use_ema": True, "ema_overwrite_frequency": 0}, "ema_overwrite_frequency"),
    ],
)
def test_bad_settings_name_the_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        optimizers.SGD(**kwargs)


def _model():
    lamina.utils.set_random_seed(3)
    return lamina.Sequential([lamina.Input((4,)), layers.Dense(3), layers.Dense(1)])


def _xy():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    return x, x.sum(axis=1, keepdims=True)


def test_fit_ends_with_the_moving_averages():
    x, y = _xy()
    model = _model()
    model.compile(optimizer=optimizers.SGD(0.05, use_ema=True, ema_momentum=0.9), loss="mse")
    model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    averages = model.optimizer._model_variables_moving_average
    assert len(averages) == len(model.trainable_variables)
    for weight, average in zip(model.trainable_variables, averages):
        np.testing.assert_array_equal(weight.numpy(), average.numpy())


def test_fit_with_accumulation_counts_updates():
    x, y = _xy()
    model = _model()
    model.compile(optimizer=optimizers.Adam(0.01, gradient_accumulation_steps=2), loss="mse")
    history = model.fit(x, y, batch_size=16, epochs=3, verbose=0)
    assert int(ops.convert_to_numpy(model.optimizer.iterations)) == 3 * 4 // 2
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_swap_ema_weights_evaluates_with_the_averages_and_swaps_back():
    x, y = _xy()
    model = _model()
    model.compile(optimizer=optimizers.SGD(0.05, use_ema=True), loss="mse")
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    trained = [w.numpy() for w in model.trainable_variables]
    averages = [np.zeros_like(w) for w in trained]
    for average, value in zip(model.optimizer._model_variables_moving_average, averages):
        average.assign(value)
    swap = callbacks.SwapEMAWeights()
    # All-zero weights predict zeros; the trained weights come back afterwards.
    np.testing.assert_array_equal(model.predict(x, verbose=0, callbacks=[swap]), 0.0)
    for weight, value in zip(model.trainable_variables, trained):
        np.testing.assert_array_equal(weight.numpy(), value)
    assert model.evaluate(x, y, verbose=0, callbacks=[swap]) == pytest.approx(
        float(np.mean(y**2)), rel=1e-5
    )
    for weight, value in zip(model.trainable_variables, trained):
        np.testing.assert_array_equal(weight.numpy(), value)


def test_swap_ema_weights_on_epoch_leaves_the_averages_in_the_model():
    x, y = _xy()
    model = _model()
    model.compile(optimizer=optimizers.SGD(0.05, use_ema=True, ema_momentum=0.5), loss="mse")
    seen = []
    record = callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: seen.append(
            [w.numpy() for w in model.trainable_variables]
        )
    )
    model.fit(
        x,
        y,
        batch_size=16,
        epochs=2,
        verbose=0,
        validation_data=(x, y),
        callbacks=[callbacks.SwapEMAWeights(swap_on_epoch=True), record],
    )
    # What the callbacks after it saw at each epoch's end were the averages,
    # and fit ends with them in the model.
    for weight, value in zip(model.trainable_variables, seen[-1]):
        np.testing.assert_array_equal(weight.numpy(), value)
    for weight, average in zip(
        model.trainable_variables, model.optimizer._model_variables_moving_average
    ):
        np.testing.assert_array_equal(weight.numpy(), average.numpy())


def test_swap_ema_weights_needs_use_ema():
    x, y = _xy()
    model = _model()
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="use_ema=True"):
        model.fit(
            x,
            y,
            epochs=1,
            verbose=0,
            validation_data=(x, y),
            callbacks=[callbacks.SwapEMAWeights()],
        )
