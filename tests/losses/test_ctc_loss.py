"""The CTC loss: a brute-force NumPy reference, Keras parity, reductions, config, fit."""

import itertools

import numpy as np
import pytest

import lamina
from lamina import losses, ops

TOLERANCE = 1e-5

LABELS = np.array([[1, 2, 0], [2, 2, 0], [1, 0, 0], [2, 1, 2]], "int32")


def _logits(batch=4, time=5, classes=3, seed=0):
    return np.random.default_rng(seed).normal(size=(batch, time, classes)).astype("float32")


def _collapse(path):
    merged = [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]
    return tuple(c for c in merged if c != 0)


def _brute_force_ctc(labels, logits):
    """-log of the summed probability of every frame-wise path that collapses to the labels."""
    logits = logits.astype("float64")
    log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    time, classes = logits.shape[1:]
    result = []
    for row, target in zip(log_probs, labels):
        target = tuple(int(c) for c in target if c != 0)
        total = 0.0
        for path in itertools.product(range(classes), repeat=time):
            if _collapse(path) == target:
                total += np.exp(sum(row[t, c] for t, c in enumerate(path)))
        result.append(-np.log(total))
    return np.array(result)


def test_function_matches_brute_force():
    logits = _logits()
    expected = _brute_force_ctc(LABELS, logits)
    actual = ops.convert_to_numpy(losses.ctc(LABELS, logits))
    assert actual.shape == (4,)
    np.testing.assert_allclose(actual, expected, rtol=0, atol=TOLERANCE)


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", None])
def test_class_reduces_like_keras_rules(reduction):
    logits = _logits(seed=1)
    per_sample = _brute_force_ctc(LABELS, logits)
    weights = np.array([1.0, 0.5, 2.0, 0.0], "float32")
    loss = losses.CTC(reduction=reduction)
    actual = ops.convert_to_numpy(loss(LABELS, logits, sample_weight=weights))
    weighted = per_sample * weights
    expected = {"sum_over_batch_size": weighted.mean(), "sum": weighted.sum(), None: weighted}
    np.testing.assert_allclose(actual, expected[reduction], rtol=0, atol=TOLERANCE)


def test_float_labels_are_accepted():
    # `Loss.__call__` converts y_true to the loss dtype, as Keras does.
    logits = _logits(seed=2)
    actual = ops.convert_to_numpy(losses.CTC()(LABELS.astype("float32"), logits))
    np.testing.assert_allclose(
        actual, _brute_force_ctc(LABELS, logits).mean(), rtol=0, atol=TOLERANCE
    )


def test_shape_errors():
    with pytest.raises(ValueError, match="y_true"):
        losses.ctc(np.ones((2, 3, 1), "int32"), _logits(batch=2))
    with pytest.raises(ValueError, match="y_pred"):
        losses.ctc(np.ones((2, 3), "int32"), np.zeros((2, 5), "float32"))


def test_config_and_lookup():
    loss = losses.CTC()
    assert loss.name == "ctc"
    assert loss.get_config() == {"name": "ctc", "reduction": "sum_over_batch_size"}
    clone = losses.CTC.from_config(losses.CTC(reduction="sum", name="c").get_config())
    assert (clone.name, clone.reduction) == ("c", "sum")
    assert losses.get("ctc") is losses.ctc
    assert isinstance(losses.get("CTC"), losses.CTC)
    restored = losses.deserialize(losses.serialize(losses.CTC(reduction="sum")))
    assert isinstance(restored, losses.CTC) and restored.reduction == "sum"
    assert losses.serialize(losses.ctc) == "ctc"


def test_fit_with_ctc_reduces_loss():
    time, classes = 6, 4
    rng = np.random.default_rng(4)
    x = rng.normal(size=(8, time, 3)).astype("float32")
    y = np.array([[1, 2, 0], [3, 0, 0], [2, 3, 1], [1, 1, 0]] * 2, "int32")
    model = lamina.Sequential([lamina.Input((time, 3)), lamina.layers.Dense(classes)])
    model.compile(optimizer=lamina.optimizers.Adam(0.05), loss=losses.CTC())
    history = model.fit(x, y, epochs=5, batch_size=4, verbose=0, shuffle=False)
    first, last = history.history["loss"][0], history.history["loss"][-1]
    assert np.isfinite(last) and last < first


def test_matches_keras(keras_ref):
    logits = _logits(batch=3, time=7, classes=5, seed=3)
    labels = np.array([[1, 4, 4, 2], [3, 0, 0, 0], [2, 2, 1, 0]], "int32")
    np.testing.assert_allclose(
        ops.convert_to_numpy(losses.ctc(labels, logits)),
        keras_ref.ops.convert_to_numpy(keras_ref.losses.ctc(labels, logits)),
        rtol=0,
        atol=TOLERANCE,
    )
    weights = np.array([0.5, 1.0, 2.0], "float32")
    for reduction in ("sum_over_batch_size", "sum", "mean_with_sample_weight", "none"):
        ours = losses.CTC(reduction=reduction)(labels, logits, sample_weight=weights)
        theirs = keras_ref.losses.CTC(reduction=reduction)(labels, logits, sample_weight=weights)
        np.testing.assert_allclose(
            ops.convert_to_numpy(ours),
            keras_ref.ops.convert_to_numpy(theirs),
            rtol=0,
            atol=TOLERANCE,
            err_msg=reduction,
        )
    assert losses.CTC().get_config() == {
        key: value
        for key, value in keras_ref.losses.CTC().get_config().items()
        if key in ("name", "reduction")
    }
