"""What `compile(loss=..., metrics=...)` turns into: per-output losses and metrics."""

from __future__ import annotations

from lamina import losses as losses_module
from lamina import metrics as metrics_module
from lamina.utils import _tree

_ACCURACY_NAMES = ("accuracy", "acc")
_CROSSENTROPY_NAMES = ("crossentropy", "ce")


def _per_output(value, output_names: list[str], what: str) -> list:
    """Spread a compile argument over the outputs: one value, a list, or a dict by name."""
    n = len(output_names)
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(output_names))
        if unknown:
            raise ValueError(
                f"compile({what}=...) names outputs {unknown}, but the model's outputs are "
                f"{output_names}. Use the output layers' names as keys."
            )
        return [value.get(name) for name in output_names]
    if isinstance(value, (list, tuple)) and n > 1:
        if len(value) != n:
            raise ValueError(
                f"compile({what}=...) got a list of {len(value)} entries, but the model has {n} "
                f"outputs ({output_names}). Give one entry per output, or a dict by output name."
            )
        return list(value)
    return [value] * n


def _as_loss(spec):
    """A `Loss` object: functions are wrapped so that sample weights and reduction apply."""
    loss = losses_module.get(spec)
    if isinstance(loss, losses_module.Loss):
        return loss
    return losses_module.LossFunctionWrapper(loss, name=_loss_name(spec))


def _loss_name(loss) -> str:
    if isinstance(loss, str):
        return loss
    return getattr(loss, "name", None) or getattr(loss, "__name__", type(loss).__name__)


class CompileLoss:
    """The weighted sum of the per-output losses."""

    def __init__(self, loss, loss_weights, output_names: list[str]):
        self.output_names = output_names
        specs = _per_output(loss, output_names, "loss")
        self.losses = [None if s is None else _as_loss(s) for s in specs]
        self.loss_names = [None if s is None else _loss_name(s) for s in specs]
        if loss_weights is None:
            self.weights = [1.0] * len(output_names)
        else:
            self.weights = [
                1.0 if w is None else float(w)
                for w in _per_output(loss_weights, output_names, "loss_weights")
            ]
        if all(fn is None for fn in self.losses):
            raise ValueError("compile() got no loss for any output. Pass e.g. loss='mse'.")

    def per_output(self, y_true, y_pred, sample_weight=None) -> list:
        """The loss of each output (None where no loss applies)."""
        y_true = _as_list(y_true, len(self.output_names))
        y_pred = _as_list(y_pred, len(self.output_names))
        sws = (
            _as_list(sample_weight, len(self.output_names))
            if isinstance(sample_weight, (list, tuple, dict))
            else [sample_weight] * len(self.output_names)
        )
        values = []
        for fn, yt, yp, sw in zip(self.losses, y_true, y_pred, sws):
            values.append(None if fn is None or yt is None else fn(yt, yp, sample_weight=sw))
        return values

    def total(self, per_output: list):
        terms = [w * v for w, v in zip(self.weights, per_output) if v is not None]
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        return total


def _as_list(structure, n: int) -> list:
    if structure is None:
        return [None] * n
    if isinstance(structure, dict):
        return list(structure.values())
    if isinstance(structure, (list, tuple)) and n > 1:
        return list(structure)
    return [structure]


def resolve_accuracy(name: str, loss_name: str | None, y_true_shape, y_pred_shape):
    """Which accuracy a bare "accuracy"/"crossentropy" means, from the loss and the shapes."""
    loss_name = (loss_name or "").lower()
    family = "accuracy" if name in _ACCURACY_NAMES else "crossentropy"
    if "sparse" in loss_name:
        kind = "sparse_categorical"
    elif "binary" in loss_name:
        kind = "binary"
    elif "categorical" in loss_name:
        kind = "categorical"
    elif y_pred_shape and y_pred_shape[-1] == 1:
        kind = "binary"
    elif y_true_shape is not None and (
        len(y_true_shape) == len(y_pred_shape) - 1
        or (y_true_shape[-1:] == (1,) and y_pred_shape[-1] != 1)
    ):
        kind = "sparse_categorical"
    else:
        kind = "categorical"
    metric = metrics_module.get(f"{kind}_{family}")
    metric.name = name
    return metric


class CompileMetrics:
    """The metrics of each output, named as Keras names them in the logs."""

    def __init__(self, metrics, weighted_metrics, output_names: list[str], loss_names: list):
        self.output_names = output_names
        self.loss_names = loss_names
        self._specs = [
            _per_output(
                _normalize_metric_list(metrics, len(output_names)), output_names, "metrics"
            ),
            _per_output(
                _normalize_metric_list(weighted_metrics, len(output_names)),
                output_names,
                "weighted_metrics",
            ),
        ]
        self.metrics: list = []  # (output index, weighted, metric)
        self.built = False

    def build(self, y_true_shapes, y_pred_shapes) -> None:
        """Create the metrics, given the target and output shapes (lists, one per output)."""
        y_true = (
            list(y_true_shapes) if y_true_shapes is not None else [None] * len(self.output_names)
        )
        y_pred = list(y_pred_shapes)
        multi = len(self.output_names) > 1
        for weighted, specs in zip((False, True), self._specs):
            for i, spec in enumerate(specs):
                for item in spec or []:
                    metric = self._make(item, i, y_true[i], y_pred[i])
                    if multi:
                        metric.name = f"{self.output_names[i]}_{metric.name}"
                    if (
                        weighted
                        and not multi
                        and any(m.name == metric.name for _, _, m in self.metrics)
                    ):
                        metric.name = f"weighted_{metric.name}"
                    self.metrics.append((i, weighted, metric))
                    if getattr(metric, "_built", True) is False:
                        _make_state(metric, y_true[i], y_pred[i])
        self.built = True

    def _make(self, item, i, y_true_shape, y_pred_shape):
        if isinstance(item, str) and item.lower() in _ACCURACY_NAMES + _CROSSENTROPY_NAMES:
            return resolve_accuracy(item, self.loss_names[i], y_true_shape, y_pred_shape)
        metric = metrics_module.get(item)
        if isinstance(item, str):
            metric.name = item  # Keras logs a metric under the name it was asked by: "mae"
        return metric

    @property
    def variables(self) -> list:
        return [v for _, _, m in self.metrics for v in m.variables]

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        y_true = _as_list(y_true, len(self.output_names))
        y_pred = _as_list(y_pred, len(self.output_names))
        for i, weighted, metric in self.metrics:
            if y_true[i] is None:
                continue
            metric.update_state(
                y_true[i], y_pred[i], sample_weight=sample_weight if weighted else None
            )

    def results(self) -> dict:
        return {metric.name: metric.result() for _, _, metric in self.metrics}

    def reset_state(self) -> None:
        for _, _, metric in self.metrics:
            metric.reset_state()


def _make_state(metric, y_true_shape, y_pred_shape) -> None:
    """Make the variables of a metric that sizes them at its first update (F1Score,
    R2Score, AUC(multi_label=True)) now: a compiled step carries the variables that
    exist when it is traced. The update runs on zeros and changes nothing."""
    if y_true_shape is None or y_pred_shape is None:
        return
    from lamina import ops
    from lamina.backend._variable import StatelessScope

    def zeros(shape):
        return ops.zeros(tuple(1 if d is None else int(d) for d in shape))

    with StatelessScope(collect=False):
        metric.update_state(zeros(y_true_shape), zeros(y_pred_shape))


def _normalize_metric_list(metrics, n: int):
    if metrics is None:
        return None
    if isinstance(metrics, dict):
        return {k: (v if isinstance(v, (list, tuple)) else [v]) for k, v in metrics.items()}
    if isinstance(metrics, (list, tuple)):
        if n > 1 and metrics and all(isinstance(m, (list, tuple)) or m is None for m in metrics):
            return [list(m) if m else [] for m in metrics]
        return [list(metrics)] * n if n > 1 else list(metrics)
    return [metrics] if n == 1 else [[metrics]] * n


def flatten_outputs(structure) -> list:
    return _tree.flatten(structure)
