"""F-scores, R2, hinge, probabilistic, regression, IoU, correlation and rate-at-constraint
metrics: parity with Keras 3, NumPy references, config, variables, get() and training."""

import numpy as np
import pytest

import lamina
from lamina import callbacks, metrics, ops
from lamina.backend import engine
from lamina.backend._variable import StatelessScope

TOLERANCE = 1e-5
BATCHES = 3
BATCH = 8
CLASSES = 4
EPSILON = 1e-7


def _softmax(logits):
    e = np.exp(logits - logits.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype("float32")


def _data(kind: str, rng):
    if kind == "binary":
        return (
            rng.integers(0, 2, size=(BATCH, 1)).astype("float32"),
            rng.uniform(size=(BATCH, 1)).astype("float32"),
        )
    if kind == "multilabel":
        return (
            rng.integers(0, 2, size=(BATCH, 3)).astype("float32"),
            rng.uniform(size=(BATCH, 3)).astype("float32"),
        )
    if kind == "categorical":
        y_true = np.eye(CLASSES, dtype="float32")[rng.integers(0, CLASSES, size=BATCH)]
        return y_true, _softmax(rng.normal(size=(BATCH, CLASSES)))
    if kind == "regression":
        return (
            rng.normal(size=(BATCH, 3)).astype("float32"),
            rng.normal(size=(BATCH, 3)).astype("float32"),
        )
    if kind == "signed":
        y_true = rng.choice([-1.0, 1.0], size=(BATCH, 3)).astype("float32")
        return y_true, rng.normal(size=(BATCH, 3)).astype("float32")
    if kind == "counts":
        return (
            rng.integers(0, 4, size=(BATCH, 3)).astype("float32"),
            rng.uniform(0.1, 3.0, size=(BATCH, 3)).astype("float32"),
        )
    if kind == "ids":
        return (
            rng.integers(0, CLASSES, size=(BATCH,)).astype("int32"),
            rng.integers(0, CLASSES, size=(BATCH,)).astype("int32"),
        )
    if kind == "masks":
        return (
            rng.integers(0, CLASSES, size=(BATCH, 3, 3)).astype("int32"),
            rng.integers(0, CLASSES, size=(BATCH, 3, 3)).astype("int32"),
        )
    raise ValueError(kind)


def _batches(kind: str, integer_weights: bool = False, seed: int = 5):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(BATCHES):
        y_true, y_pred = _data(kind, rng)
        # The IoU metrics flatten masks and their weights alike: weight each entry.
        shape = y_true.shape if kind == "masks" else (BATCH,)
        if integer_weights:
            weights = rng.integers(0, 3, size=shape).astype("int32")
        else:
            weights = rng.uniform(0.0, 2.0, size=shape).astype("float32")
        out.append((y_true, y_pred, weights))
    return out


# (class name, constructor arguments, data kind)
CASES = [
    ("Hinge", {}, "multilabel"),
    ("Hinge", {}, "signed"),
    ("SquaredHinge", {}, "signed"),
    ("CategoricalHinge", {}, "categorical"),
    ("KLDivergence", {}, "categorical"),
    ("Poisson", {}, "counts"),
    ("LogCoshError", {}, "regression"),
    ("CosineSimilarity", {}, "regression"),
    ("PearsonCorrelation", {}, "regression"),
    ("ConcordanceCorrelation", {}, "regression"),
    ("R2Score", {}, "regression"),
    (
        "R2Score",
        {"class_aggregation": "variance_weighted_average", "num_regressors": 3},
        "regression",
    ),
    ("R2Score", {"num_regressors": 40}, "regression"),
    ("F1Score", {}, "categorical"),
    ("F1Score", {"average": "macro", "threshold": 0.5}, "multilabel"),
    ("F1Score", {"average": "micro"}, "categorical"),
    ("FBetaScore", {"beta": 2.0, "average": "weighted"}, "multilabel"),
    ("IoU", {"num_classes": CLASSES, "target_class_ids": [0, 2]}, "ids"),
    ("IoU", {"num_classes": CLASSES, "target_class_ids": [1], "ignore_class": 0}, "masks"),
    ("MeanIoU", {"num_classes": CLASSES}, "ids"),
    ("MeanIoU", {"num_classes": CLASSES, "dtype": "float32"}, "masks"),
    ("BinaryIoU", {}, "binary"),
    ("BinaryIoU", {"target_class_ids": [1], "threshold": 0.3}, "binary"),
    ("OneHotIoU", {"num_classes": CLASSES, "target_class_ids": [1, 3]}, "categorical"),
    ("OneHotMeanIoU", {"num_classes": CLASSES}, "categorical"),
    ("SensitivityAtSpecificity", {"specificity": 0.5}, "binary"),
    ("SpecificityAtSensitivity", {"sensitivity": 0.7, "num_thresholds": 20}, "binary"),
    ("PrecisionAtRecall", {"recall": 0.3}, "multilabel"),
    ("PrecisionAtRecall", {"recall": 0.5, "num_thresholds": 1}, "binary"),
    ("RecallAtPrecision", {"precision": 0.6, "class_id": 1}, "categorical"),
]
_LAZY = ("F1Score", "FBetaScore", "R2Score")
# Without weights, a case per family (the weighted runs cover the rest).
UNWEIGHTED = [
    c
    for c in CASES
    if c[0]
    in (
        "Hinge",
        "PearsonCorrelation",
        "R2Score",
        "F1Score",
        "IoU",
        "BinaryIoU",
        "SensitivityAtSpecificity",
        "PrecisionAtRecall",
    )
    and (not c[1] or c[0] in ("IoU", "SensitivityAtSpecificity"))
    and c[2] != "multilabel"
]


def _ids(case):
    return f"{case[0]}-{case[1]}-{case[2]}"


def _integer_weights(name: str, kwargs: dict) -> bool:
    # The IoU metrics count in an integer dtype by default: Keras truncates float weights.
    return "IoU" in name and "dtype" not in kwargs


def _run(metric, batches, weighted: bool):
    for y_true, y_pred, weights in batches:
        metric.update_state(y_true, y_pred, sample_weight=weights if weighted else None)
    return metric


# Keras's own confusion matrix asks JAX for int64, which it truncates to int32 with a warning.
@pytest.mark.filterwarnings("ignore:Explicitly requested dtype int64:UserWarning")
@pytest.mark.parametrize(
    ("case", "weighted"),
    [(c, True) for c in CASES] + [(c, False) for c in UNWEIGHTED],
    ids=[_ids(c) for c in CASES] + [f"unweighted-{_ids(c)}" for c in UNWEIGHTED],
)
def test_matches_keras(keras_ref, case, weighted):
    name, kwargs, kind = case
    batches = _batches(kind, integer_weights=_integer_weights(name, kwargs))
    reference = _run(getattr(keras_ref.metrics, name)(**kwargs), batches, weighted)
    metric = _run(getattr(metrics, name)(**kwargs), batches, weighted)
    expected = keras_ref.ops.convert_to_numpy(keras_ref.ops.add(reference.result(), 0))
    actual = ops.convert_to_numpy(metric.result())
    np.testing.assert_allclose(actual, expected, rtol=TOLERANCE, atol=TOLERANCE)
    # Names, shapes, dtypes and order of the state, as `.weights.h5` files lay it out.
    assert [(v.name, tuple(v.shape), v.dtype) for v in metric.variables] == [
        (v.name, tuple(v.shape), v.dtype) for v in reference.variables
    ]
    for ours, theirs in zip(metric.variables, reference.variables, strict=True):
        # Default names carry a per-library counter ("mean_io_u_2"): compare the rest.
        assert ours.path == f"{metric.name}/{theirs.name}"
        np.testing.assert_allclose(
            ours.numpy(), keras_ref.ops.convert_to_numpy(theirs.value), rtol=1e-5, atol=1e-5
        )
    metric.reset_state()
    reference.reset_state()
    for ours in metric.variables:
        assert not ours.numpy().any()


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_config_matches_keras(keras_ref, case):
    name, kwargs, _ = case
    keras_metric = getattr(keras_ref.metrics, name)(**kwargs)
    metric = getattr(metrics, name)(**kwargs)
    config, keras_config = metric.get_config(), keras_metric.get_config()
    if "IoU" in name or "At" in name:
        # Named from a per-library counter by default ("mean_io_u_2").
        assert config.pop("name").rstrip("_0123456789") == keras_config.pop("name").rstrip(
            "_0123456789"
        )
    assert config == keras_config
    # Configs move both ways.
    from_keras = type(metric).from_config(keras_metric.get_config())
    assert from_keras.get_config() == keras_metric.get_config()
    to_keras = type(keras_metric).from_config(metric.get_config())
    assert to_keras.get_config() == metric.get_config()
    if name not in _LAZY:
        assert [v.name for v in metric.variables] == [v.name for v in keras_metric.variables]


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_config_round_trip(case):
    name, kwargs, _ = case
    metric = getattr(metrics, name)(**kwargs)
    config = metric.get_config()
    restored = type(metric).from_config(config)
    assert restored.get_config() == config
    again = metrics.deserialize(metrics.serialize(metric))
    assert type(again) is type(metric) and again.get_config() == config


FUNCTIONS = [
    ("hinge", "signed", {}),
    ("squared_hinge", "multilabel", {}),
    ("categorical_hinge", "categorical", {}),
    ("kl_divergence", "categorical", {}),
    ("poisson", "counts", {}),
    ("log_cosh", "regression", {}),
    ("huber", "regression", {"delta": 0.7}),
    ("binary_focal_crossentropy", "multilabel", {"apply_class_balancing": True}),
    ("categorical_focal_crossentropy", "categorical", {"gamma": 1.5}),
    ("pearson_correlation", "regression", {}),
    ("pearson_correlation", "regression", {"axis": 0}),
    ("concordance_correlation", "regression", {}),
]


@pytest.mark.parametrize(
    ("name", "kind", "kwargs"), FUNCTIONS, ids=[f"{f[0]}-{f[2]}" for f in FUNCTIONS]
)
def test_functions_match_keras(keras_ref, name, kind, kwargs):
    y_true, y_pred, _ = _batches(kind)[0]
    expected = keras_ref.ops.convert_to_numpy(
        getattr(keras_ref.metrics, name)(y_true, y_pred, **kwargs)
    )
    actual = ops.convert_to_numpy(getattr(metrics, name)(y_true, y_pred, **kwargs))
    np.testing.assert_allclose(actual, expected, rtol=TOLERANCE, atol=TOLERANCE)


# -- NumPy references: lamina's own behaviour, checked on every engine


def _weighted_mean(values, weights):
    return float(np.sum(values * weights) / np.sum(weights))


def _pearson(y_true, y_pred):
    t = y_true - y_true.mean(-1, keepdims=True)
    p = y_pred - y_pred.mean(-1, keepdims=True)
    t = t / t.std(-1, keepdims=True)
    p = p / p.std(-1, keepdims=True)
    return (t * p).mean(-1)


def _concordance(y_true, y_pred):
    t_mean = y_true.mean(-1, keepdims=True)
    p_mean = y_pred.mean(-1, keepdims=True)
    norm = y_true.var(-1, keepdims=True) + y_pred.var(-1, keepdims=True)
    norm = norm + (t_mean - p_mean) ** 2
    return (2 * (y_true - p_mean) * (y_pred - p_mean) / (norm + EPSILON)).mean(-1)


def _unit(x, axis=-1):
    return x / np.sqrt(np.sum(x**2, axis=axis, keepdims=True))


SAMPLEWISE_REFERENCES = [
    ("Hinge", "signed", lambda t, p: np.maximum(1 - t * p, 0).mean(-1)),
    ("SquaredHinge", "signed", lambda t, p: (np.maximum(1 - t * p, 0) ** 2).mean(-1)),
    (
        "CategoricalHinge",
        "categorical",
        lambda t, p: np.maximum(((1 - t) * p).max(-1) - (t * p).sum(-1) + 1, 0),
    ),
    (
        "KLDivergence",
        "categorical",
        lambda t, p: (
            np.clip(t, EPSILON, 1) * np.log(np.clip(t, EPSILON, 1) / np.clip(p, EPSILON, 1))
        ).sum(-1),
    ),
    ("Poisson", "counts", lambda t, p: (p - t * np.log(p + EPSILON)).mean(-1)),
    ("LogCoshError", "regression", lambda t, p: np.log(np.cosh(p - t)).mean(-1)),
    ("CosineSimilarity", "regression", lambda t, p: (_unit(t) * _unit(p)).sum(-1)),
    ("PearsonCorrelation", "regression", _pearson),
    ("ConcordanceCorrelation", "regression", _concordance),
]


@pytest.mark.parametrize(
    ("name", "kind", "reference"), SAMPLEWISE_REFERENCES, ids=[r[0] for r in SAMPLEWISE_REFERENCES]
)
def test_samplewise_metrics_match_numpy(name, kind, reference):
    batches = _batches(kind)
    metric = _run(getattr(metrics, name)(), batches, weighted=True)
    values = np.concatenate(
        [reference(t.astype("float64"), p.astype("float64")) for t, p, _ in batches]
    )
    weights = np.concatenate([w for _, _, w in batches])
    np.testing.assert_allclose(
        float(ops.convert_to_numpy(metric.result())), _weighted_mean(values, weights), rtol=1e-5
    )


def _stack(batches):
    return tuple(np.concatenate(parts) for parts in zip(*batches, strict=True))


@pytest.mark.parametrize("aggregation", [None, "uniform_average", "variance_weighted_average"])
def test_r2_score_matches_numpy(aggregation):
    y_true, y_pred, weights = _stack(_batches("regression"))
    metric = _run(metrics.R2Score(class_aggregation=aggregation), _batches("regression"), True)
    w = weights[:, None].astype("float64")
    mean = (w * y_true).sum(0) / w.sum(0)
    total = (w * (y_true - mean) ** 2).sum(0)
    scores = 1 - (w * (y_true - y_pred) ** 2).sum(0) / total
    if aggregation == "uniform_average":
        scores = scores.mean()
    elif aggregation == "variance_weighted_average":
        scores = (scores * total).sum() / total.sum()
    np.testing.assert_allclose(ops.convert_to_numpy(metric.result()), scores, rtol=1e-4)
    adjusted = _run(metrics.R2Score(num_regressors=5), _batches("regression"), False)
    plain = _run(metrics.R2Score(), _batches("regression"), False)
    n = y_true.size
    expected = 1 - (1 - float(ops.convert_to_numpy(plain.result()))) * (n - 1) / (n - 5 - 1)
    np.testing.assert_allclose(float(ops.convert_to_numpy(adjusted.result())), expected, rtol=1e-5)
    # Too few samples for the adjustment: the plain score.
    too_many = _run(metrics.R2Score(num_regressors=n), _batches("regression"), False)
    np.testing.assert_allclose(
        ops.convert_to_numpy(too_many.result()), ops.convert_to_numpy(plain.result()), rtol=1e-6
    )


@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
def test_fbeta_score_matches_numpy(average):
    beta = 2.0
    batches = _batches("multilabel")
    y_true, y_pred, weights = _stack(batches)
    metric = _run(metrics.FBetaScore(average=average, beta=beta, threshold=0.4), batches, True)
    positive = (y_pred > 0.4).astype("float64")
    w = weights[:, None].astype("float64")
    axis = None if average == "micro" else 0
    tp = (w * positive * y_true).sum(axis)
    fp = (w * positive * (1 - y_true)).sum(axis)
    fn = (w * (1 - positive) * y_true).sum(axis)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    score = (1 + beta**2) * precision * recall / (beta**2 * precision + recall)
    if average == "weighted":
        support = (w * y_true).sum(0)
        score = (score * support / support.sum()).sum()
    elif average is not None:
        score = score.mean()
    np.testing.assert_allclose(ops.convert_to_numpy(metric.result()), score, rtol=1e-5)


def test_f1_score_argmax_without_threshold():
    y_true = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0]], "float32")
    y_pred = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0, 0, 0], [0.2, 0.5, 0.3]], "float32")
    metric = metrics.F1Score()
    metric.update_state(y_true, y_pred)
    # Class 0: tp 1; class 1: tp 1, fn 1; class 2: fp 1, fn 1 (an all-zero row predicts nothing).
    np.testing.assert_allclose(ops.convert_to_numpy(metric.result()), [1.0, 2 / 3, 0.0], atol=1e-5)


def _confusion(y_true, y_pred, weights, n):
    cm = np.zeros((n, n))
    for t, p, w in zip(y_true.ravel(), y_pred.ravel(), weights.ravel(), strict=True):
        cm[t, p] += w
    return cm


def _iou(cm, target_ids):
    union = cm.sum(0) + cm.sum(1) - np.diag(cm)
    ious = [cm[i, i] / union[i] for i in target_ids if union[i] > 0]
    return sum(ious) / len(ious)


def test_iou_metrics_match_numpy():
    batches = _batches("masks", integer_weights=True)
    y_true, y_pred, weights = _stack(batches)
    cm = _confusion(y_true, y_pred, weights, CLASSES)
    metric = _run(metrics.IoU(CLASSES, [1, 3]), batches, True)
    assert metric.variables[0].dtype == (
        "int64" if lamina.backend.backend() == "tensorflow" else "int32"
    )
    np.testing.assert_array_equal(metric.variables[0].numpy(), cm)
    np.testing.assert_allclose(
        float(ops.convert_to_numpy(metric.result())), _iou(cm, [1, 3]), rtol=1e-5
    )
    mean = _run(metrics.MeanIoU(CLASSES), batches, True)
    np.testing.assert_allclose(
        float(ops.convert_to_numpy(mean.result())), _iou(cm, range(CLASSES)), rtol=1e-5
    )
    # One-hot labels and scores give the same matrix.
    eye = np.eye(CLASSES, dtype="float32")
    one_hot = metrics.OneHotMeanIoU(CLASSES)
    for t, p, w in batches:
        one_hot.update_state(eye[t], eye[p] * 0.9, sample_weight=w)
    np.testing.assert_array_equal(one_hot.variables[0].numpy(), cm)
    # Ignored and out-of-range classes are not counted.
    ignoring = metrics.MeanIoU(CLASSES, ignore_class=0)
    ignoring.update_state(np.array([0, 1, 2, 7, -1]), np.array([1, 1, 5, 2, 2]))
    expected = np.zeros((CLASSES, CLASSES))
    expected[1, 1] = 1
    np.testing.assert_array_equal(ignoring.variables[0].numpy(), expected)


def test_iou_float_weights_warn_and_truncate():
    metric = metrics.MeanIoU(2)
    with pytest.warns(UserWarning, match="truncated to integers"):
        metric.update_state(np.array([0, 1, 1]), np.array([0, 1, 0]), np.array([1.5, 2.7, 0.5]))
    np.testing.assert_array_equal(metric.variables[0].numpy(), [[1, 0], [0, 2]])


def test_binary_iou_matches_numpy():
    batches = _batches("binary", integer_weights=True)
    y_true, y_pred, weights = _stack(batches)
    metric = _run(metrics.BinaryIoU(threshold=0.3), batches, True)
    cm = _confusion(
        y_true.astype(int),
        (y_pred >= 0.3).astype(int),
        np.broadcast_to(weights[:, None], y_true.shape),
        2,
    )
    np.testing.assert_allclose(
        float(ops.convert_to_numpy(metric.result())), _iou(cm, [0, 1]), rtol=1e-5
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SensitivityAtSpecificity", 0.6),
        ("SpecificityAtSensitivity", 0.6),
        ("PrecisionAtRecall", 0.6),
        ("RecallAtPrecision", 0.6),
    ],
)
def test_rates_at_constraint_match_numpy(name, value):
    batches = _batches("binary")
    y_true, y_pred, weights = _stack(batches)
    y_true, y_pred, weights = (
        y_true[:, 0],
        y_pred[:, 0].astype("float64"),
        weights.astype("float64"),
    )
    thresholds = np.linspace(0.0, 1.0, 11)
    metric = _run(getattr(metrics, name)(value, num_thresholds=11), batches, True)
    predicted = y_pred[None, :] > thresholds[:, None]
    positive = y_true[None, :] == 1
    tp = (weights * (predicted & positive)).sum(1)
    fp = (weights * (predicted & ~positive)).sum(1)
    fn = (weights * (~predicted & positive)).sum(1)
    tn = (weights * (~predicted & ~positive)).sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        recall = np.nan_to_num(tp / (tp + fn))
        rates = {
            "sensitivity": recall,
            "recall": recall,
            "specificity": np.nan_to_num(tn / (tn + fp)),
            "precision": np.nan_to_num(tp / (tp + fp)),
        }
    constrained, dependent = {
        "SensitivityAtSpecificity": ("specificity", "sensitivity"),
        "SpecificityAtSensitivity": ("sensitivity", "specificity"),
        "PrecisionAtRecall": ("recall", "precision"),
        "RecallAtPrecision": ("precision", "recall"),
    }[name]
    expected = max(0.0, np.where(rates[constrained] >= value, rates[dependent], 0.0).max())
    np.testing.assert_allclose(float(ops.convert_to_numpy(metric.result())), expected, rtol=1e-5)


def _stateless_run(metric, batches, compiled):
    variables = metric.variables

    def step(values, y_true, y_pred, weights):
        with StatelessScope(list(zip(variables, values, strict=True))) as scope:
            metric.update_state(y_true, y_pred, sample_weight=weights)
            return [scope.value_of(v) for v in variables], metric.result()

    if compiled:
        step = engine.functional.compile(step)
    values = [v.value for v in variables]
    result = None
    for y_true, y_pred, weights in batches:
        values, result = step(
            values,
            ops.convert_to_tensor(y_true),
            ops.convert_to_tensor(y_pred),
            ops.convert_to_tensor(weights),
        )
    return result


def _built(metric, kind=None, outputs=None):
    """The metric with its state made (by one update, then reset)."""
    if kind is None:
        y_true = y_pred = np.zeros((1, outputs), "float32")
    else:
        y_true, y_pred, _ = _batches(kind)[0]
    metric.update_state(y_true, y_pred)
    metric.reset_state()
    return metric


STATELESS = [
    (lambda: metrics.IoU(CLASSES, [0, 1], dtype="float32"), "ids"),
    (lambda: metrics.SensitivityAtSpecificity(0.5, num_thresholds=50), "binary"),
    (lambda: _built(metrics.R2Score(num_regressors=2), "regression"), "regression"),
    (lambda: _built(metrics.F1Score(average="weighted"), "categorical"), "categorical"),
    (lambda: metrics.PearsonCorrelation(), "regression"),
]


@pytest.mark.parametrize("compiled", [False, True], ids=["scope", "compiled"])
@pytest.mark.parametrize(
    ("make_metric", "kind"), STATELESS, ids=["iou", "sens-at-spec", "r2", "f1", "pearson"]
)
def test_stateless_matches_eager(make_metric, kind, compiled):
    batches = _batches(kind)
    expected = ops.convert_to_numpy(_run(make_metric(), batches, True).result())
    metric = make_metric()
    result = _stateless_run(metric, batches, compiled)
    np.testing.assert_allclose(ops.convert_to_numpy(result), expected, rtol=1e-5, atol=1e-6)
    for variable in metric.variables:
        assert not variable.numpy().any()


def test_lazy_state_is_created_at_first_update():
    f1 = metrics.F1Score()
    assert f1.variables == []
    f1.update_state(np.eye(3)[[0, 1, 2]], np.eye(3)[[0, 1, 1]])
    assert [(v.name, v.shape) for v in f1.variables] == [
        ("true_positives", (3,)),
        ("false_positives", (3,)),
        ("false_negatives", (3,)),
        ("intermediate_weights", (3,)),
    ]
    assert [v.path for v in f1.variables][0] == "f1_score/true_positives"
    r2 = metrics.R2Score()
    assert [v.name for v in r2.variables] == ["num_samples"]
    r2.update_state(np.ones((2, 2)), np.zeros((2, 2)))
    assert [v.name for v in r2.variables] == [
        "num_samples",
        "squared_sum",
        "sum",
        "residual",
        "count",
    ]


def test_get_names():
    for name, cls in [
        ("f1_score", metrics.F1Score),
        ("F1Score", metrics.F1Score),
        ("f_beta_score", metrics.FBetaScore),
        ("r2_score", metrics.R2Score),
        ("hinge", metrics.Hinge),
        ("squared_hinge", metrics.SquaredHinge),
        ("categorical_hinge", metrics.CategoricalHinge),
        ("kl_divergence", metrics.KLDivergence),
        ("poisson", metrics.Poisson),
        ("log_cosh_error", metrics.LogCoshError),
        ("cosine_similarity", metrics.CosineSimilarity),
        ("pearson_correlation", metrics.PearsonCorrelation),
        ("concordance_correlation", metrics.ConcordanceCorrelation),
    ]:
        assert type(metrics.get(name)) is cls, name
    assert metrics.get("log_cosh_error").name == "logcosh"
    with pytest.raises(TypeError, match="num_classes"):
        metrics.get("mean_io_u")
    with pytest.raises(ValueError, match="huber"):
        metrics.get("huber")


def test_get_matches_keras(keras_ref):
    from keras.src.metrics import ALL_OBJECTS_DICT

    for name, cls in ALL_OBJECTS_DICT.items():
        if name in ("Metric", "metric", "MeanMetricWrapper", "mean_metric_wrapper"):
            continue
        assert getattr(metrics, cls.__name__) is metrics.ALL_OBJECTS[name], name


def test_argument_errors():
    with pytest.raises(ValueError, match="average"):
        metrics.F1Score(average="samples")
    with pytest.raises(ValueError, match="beta"):
        metrics.FBetaScore(beta=2)
    with pytest.raises(ValueError, match="threshold"):
        metrics.F1Score(threshold=1.5)
    with pytest.raises(ValueError, match="class_aggregation"):
        metrics.R2Score(class_aggregation="mean")
    with pytest.raises(ValueError, match="num_regressors"):
        metrics.R2Score(num_regressors=-1)
    with pytest.raises(ValueError, match="out of range"):
        metrics.IoU(3, [0, 3])
    with pytest.raises(ValueError, match="specificity"):
        metrics.SensitivityAtSpecificity(1.5)
    with pytest.raises(ValueError, match="num_thresholds"):
        metrics.PrecisionAtRecall(0.5, num_thresholds=0)
    with pytest.raises(ValueError, match="2D inputs"):
        metrics.F1Score().update_state(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="2D inputs"):
        metrics.R2Score().update_state(np.ones((2, 2, 2)), np.ones((2, 2, 2)))


# -- inside compile / fit / evaluate


def _classifier():
    lamina.utils.set_random_seed(1)
    return lamina.Sequential(
        [lamina.Input((5,)), lamina.layers.Dense(CLASSES, activation="softmax")]
    )


def _classification_data():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(32, 5)).astype("float32")
    y = np.eye(CLASSES, dtype="float32")[rng.integers(0, CLASSES, size=32)]
    return x, y


def test_fit_and_evaluate():
    x, y = _classification_data()
    model = _classifier()
    # F1Score makes its state at its first update: build it before compiling.
    f1 = _built(metrics.F1Score(average="macro"), "categorical")
    at_precision = metrics.RecallAtPrecision(0.3, class_id=0, num_thresholds=20)
    recall_name = at_precision.name  # "recall_at_precision" with a counter
    model.compile(
        optimizer="sgd",
        loss="categorical_crossentropy",
        metrics=[
            f1,
            "categorical_hinge",
            "kl_divergence",
            metrics.OneHotMeanIoU(CLASSES, name="iou"),
            at_precision,
        ],
    )
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert set(history.history) == {
        "loss",
        "f1_score",
        "categorical_hinge",
        "kl_divergence",
        "iou",
        recall_name,
    }
    logs = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    y_pred = ops.convert_to_numpy(model.predict(x, batch_size=8, verbose=0))
    for name, metric in [
        ("f1_score", metrics.F1Score(average="macro")),
        ("categorical_hinge", metrics.CategoricalHinge()),
        ("kl_divergence", metrics.KLDivergence()),
        ("iou", metrics.OneHotMeanIoU(CLASSES)),
        (recall_name, metrics.RecallAtPrecision(0.3, class_id=0, num_thresholds=20)),
    ]:
        metric.update_state(y, y_pred)
        np.testing.assert_allclose(
            logs[name], float(ops.convert_to_numpy(metric.result())), rtol=1e-5, atol=1e-6
        )


def test_fit_regression_metrics():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(24, 3)).astype("float32")
    y = (x @ rng.normal(size=(3, 2))).astype("float32")
    lamina.utils.set_random_seed(4)
    model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(2)])
    r2 = _built(metrics.R2Score(), outputs=2)
    r2_reference = metrics.R2Score()
    model.compile(
        optimizer="sgd",
        loss="mse",
        metrics=[r2, "cosine_similarity", "pearson_correlation", "log_cosh_error"],
    )
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert set(history.history) == {
        "loss",
        "r2_score",
        "cosine_similarity",
        "pearson_correlation",
        "log_cosh_error",
    }
    logs = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    r2_reference.update_state(y, ops.convert_to_numpy(model.predict(x, verbose=0)))
    np.testing.assert_allclose(
        logs["r2_score"], float(ops.convert_to_numpy(r2_reference.result())), rtol=1e-5
    )


def _saved_metrics(config_metrics):
    return [
        m if isinstance(m, str) else (type(m).__name__, m.get_config()) for m in config_metrics
    ]


def _compiled_with(library, model):
    model.compile(
        optimizer="sgd",
        loss="categorical_crossentropy",
        metrics=[
            library.metrics.MeanIoU(
                CLASSES, name="miou", sparse_y_true=False, sparse_y_pred=False
            ),
            library.metrics.SensitivityAtSpecificity(0.4, num_thresholds=7, name="sens"),
            "squared_hinge",
            library.metrics.F1Score(average="weighted", threshold=0.3),
        ],
    )
    return model


def test_saved_model_keeps_metrics(tmp_path):
    x, y = _classification_data()
    model = _compiled_with(lamina, _classifier())
    expected = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    model.save(tmp_path / "model.keras")
    loaded = lamina.saving.load_model(tmp_path / "model.keras")
    assert _saved_metrics(loaded._compile_config["metrics"]) == _saved_metrics(
        model._compile_config["metrics"]
    )
    logs = loaded.evaluate(x, y, batch_size=32, verbose=0, return_dict=True)
    for name in ("miou", "sens", "squared_hinge"):
        np.testing.assert_allclose(logs[name], expected[name], rtol=1e-5, err_msg=name)


def test_keras_files_keep_metrics(keras_ref, tmp_path):
    model = _compiled_with(lamina, _classifier())
    model.save(tmp_path / "lamina.keras")
    in_keras = keras_ref.saving.load_model(tmp_path / "lamina.keras")
    assert _saved_metrics(in_keras._compile_config.config["metrics"]) == _saved_metrics(
        model._compile_config["metrics"]
    )
    keras_model = keras_ref.Sequential(
        [keras_ref.Input((5,)), keras_ref.layers.Dense(CLASSES, activation="softmax")]
    )
    keras_model = _compiled_with(keras_ref, keras_model)
    keras_model.save(tmp_path / "keras.keras")
    in_lamina = lamina.saving.load_model(tmp_path / "keras.keras")
    assert _saved_metrics(in_lamina._compile_config["metrics"]) == _saved_metrics(
        keras_model._compile_config.config["metrics"]
    )


def test_metrics_that_size_their_state_at_the_first_update_count_every_batch():
    # F1Score and R2Score make their variables at their first update_state, as in
    # Keras; compile makes them before the first step, so no batch is lost and the
    # metrics after them keep their own state.
    x, y = _classification_data()
    model = _classifier()
    model.compile(
        optimizer="sgd",
        loss="categorical_crossentropy",
        metrics=["f1_score", metrics.R2Score(name="r2"), "mae"],
    )
    logs = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    predictions = ops.convert_to_numpy(model.predict(x, verbose=0))
    for name, reference in (("f1_score", metrics.F1Score()), ("r2", metrics.R2Score())):
        reference.update_state(y, predictions)
        expected = ops.convert_to_numpy(reference.result())
        np.testing.assert_allclose(logs[name], expected, rtol=1e-5, err_msg=name)
    np.testing.assert_allclose(logs["mae"], np.abs(y - predictions).mean(), rtol=1e-5)


def test_a_metric_with_one_value_per_class_in_fit_logs(tmp_path, capsys):
    # As in Keras: the history keeps the arrays, the progress bar shows their mean,
    # CSVLogger writes "[a, b, c]".
    x, y = _classification_data()
    model = _classifier()
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["f1_score"])
    path = tmp_path / "log.csv"
    history = model.fit(
        x, y, epochs=2, batch_size=8, verbose=1, callbacks=[callbacks.CSVLogger(str(path))]
    )
    first, last = history.history["f1_score"]
    assert first.shape == (CLASSES,) and first is not last
    assert np.asarray(model.evaluate(x, y, verbose=0)[1]).shape == (CLASSES,)
    out = capsys.readouterr().out
    assert f"f1_score: {float(np.mean(last)):.4f}" in out
    rows = path.read_text().splitlines()
    assert rows[2].split('"')[1] == "[" + ", ".join(str(v) for v in last.tolist()) + "]"
