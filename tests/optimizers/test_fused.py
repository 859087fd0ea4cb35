"""Fused optimizer updates (the backend's optional `optimizers` module).

The fused update must give the generic update's numbers, eagerly (buffers
copied) and inside a donated scope (buffers overwritten in place), and it may
overwrite only buffers nothing outside lamina's step holds.
"""

import numpy as np
import pytest

from lamina import constraints, ops, optimizers
from lamina.backend import engine
from lamina.backend._variable import StatelessScope, Variable
from lamina.optimizers import schedules

# Float32 rounding of the reordered formulas, over a few steps of size ~0.1.
TOLERANCE = 2e-6
STEPS = 6

FUSED = getattr(engine, "optimizers", None)
needs_fused = pytest.mark.skipif(FUSED is None, reason="this engine has no fused updates")

CONFIGS = [
    ("SGD", {"learning_rate": 0.1}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    ("SGD", {"momentum": 0.9, "nesterov": True, "clipvalue": 0.5}),
    ("SGD", {"learning_rate": schedules.ExponentialDecay(0.1, 2, 0.5), "momentum": 0.5}),
    ("Adam", {}),
    ("Adam", {"learning_rate": 0.01, "amsgrad": True, "clipnorm": 0.5}),
    ("Adam", {"learning_rate": schedules.CosineDecay(0.01, 4), "epsilon": 1e-3}),
    ("Adam", {"weight_decay": 0.1, "global_clipnorm": 1.0, "loss_scale_factor": 4.0}),
    ("AdamW", {}),
    ("AdamW", {"learning_rate": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    ("RMSprop", {}),
    ("RMSprop", {"learning_rate": 0.01, "momentum": 0.5, "centered": True, "clipvalue": 0.3}),
    ("RMSprop", {"rho": 0.8, "weight_decay": 0.05}),
]


def _data():
    rng = np.random.default_rng(3)
    weights = [
        rng.normal(size=(5, 4)).astype("float32"),
        rng.normal(size=(4,)).astype("float32"),
        rng.normal(size=(3, 2, 2)).astype("float32"),
    ]
    grads = [[rng.normal(size=w.shape).astype("float32") for w in weights] for _ in range(STEPS)]
    return weights, grads


def _make(name, kwargs):
    optimizer = getattr(optimizers, name)(**kwargs)
    if optimizer.weight_decay:
        optimizer.exclude_from_weight_decay(var_names=["w1"])
    return optimizer


def _variables(weights):
    return [Variable(w, name=f"w{i}") for i, w in enumerate(weights)]


def _train_eagerly(name, kwargs, weights, grads):
    variables = _variables(weights)
    optimizer = _make(name, kwargs)
    for step_grads in grads:
        optimizer.apply([ops.convert_to_tensor(g) for g in step_grads], variables)
    return [v.numpy() for v in variables], [v.numpy() for v in optimizer.variables]


def _train_donated(name, kwargs, weights, grads):
    """As the trainer does: values threaded through donated scopes."""
    variables = _variables(weights)
    optimizer = _make(name, kwargs)
    optimizer.build(variables)
    values = [v.value for v in variables]
    slots = [v.value for v in optimizer.variables]
    for step_grads in grads:
        state = list(zip(variables, values)) + list(zip(optimizer.variables, slots))
        with StatelessScope(state, donate=True) as scope:
            optimizer.apply([ops.convert_to_tensor(g) for g in step_grads], variables)
        values = [scope.value_of(v) for v in variables]
        slots = [scope.value_of(v) for v in optimizer.variables]
    return [ops.convert_to_numpy(v) for v in values], [ops.convert_to_numpy(v) for v in slots]


def _train_compiled(name, kwargs, weights, grads):
    """The update inside a compiled function, where engines with a compiler fuse."""
    variables = _variables(weights)
    optimizer = _make(name, kwargs)
    optimizer.build(variables)

    def step(values, slots, step_grads):
        state = list(zip(variables, values)) + list(zip(optimizer.variables, slots))
        with StatelessScope(state, donate=True) as scope:
            optimizer.apply(step_grads, variables)
        return [scope.value_of(v) for v in variables], [
            scope.value_of(v) for v in optimizer.variables
        ]

    compiled = ops.compile(step)
    values = [v.value for v in variables]
    slots = [v.value for v in optimizer.variables]
    for step_grads in grads:
        values, slots = compiled(values, slots, [ops.convert_to_tensor(g) for g in step_grads])
    return [ops.convert_to_numpy(v) for v in values], [ops.convert_to_numpy(v) for v in slots]


def _generic(monkeypatch, run, *args):
    with monkeypatch.context() as patch:
        patch.delattr(engine, "optimizers", raising=False)
        return run(*args)


def _assert_close(expected, actual):
    for e, a in zip(expected, actual, strict=True):
        np.testing.assert_allclose(a, e, rtol=0, atol=TOLERANCE)


@needs_fused
@pytest.mark.parametrize(
    "run", [_train_eagerly, _train_donated, _train_compiled], ids=["eager", "donated", "compiled"]
)
@pytest.mark.parametrize(("name", "kwargs"), CONFIGS, ids=lambda c: str(c))
def test_fused_matches_generic(monkeypatch, run, name, kwargs):
    weights, grads = _data()
    # Engines that fuse only large updates (TensorFlow) fuse these small ones too.
    monkeypatch.setattr(FUSED, "FUSE_MIN_ELEMENTS", 0, raising=False)
    expected_weights, expected_slots = _generic(monkeypatch, run, name, kwargs, weights, grads)
    used = []
    function = getattr(FUSED, name.lower().replace("adamw", "adam"))

    def counted(*args, **kwargs):
        result = function(*args, **kwargs)
        used.append(result is not None)
        return result

    monkeypatch.setattr(FUSED, function.__name__, counted)
    actual_weights, actual_slots = run(name, kwargs, weights, grads)
    # Eager and donated updates call it at every step; a compiled one at least
    # once, when traced (engines that run compiled functions eagerly: each step).
    if run is _train_compiled:
        assert 1 <= len(used) <= STEPS
    else:
        assert len(used) == STEPS
    if name == "Adam" and not kwargs.get("amsgrad") and not kwargs.get("weight_decay"):
        # Plain Adam is fused on every engine that has the module, where compiled.
        assert used[0] or run is not _train_compiled, "the fused update was not used"
    _assert_close(expected_weights, actual_weights)
    _assert_close(expected_slots, actual_slots)


@needs_fused
@pytest.mark.parametrize(("name", "kwargs"), CONFIGS, ids=lambda c: str(c))
def test_fused_as_on_an_accelerator_matches_generic(monkeypatch, name, kwargs):
    # On an accelerator the step size stays a tensor (reading it would wait for
    # the device) and Adam takes the multi-tensor path instead of torch's
    # one-pass CPU kernel: the same numbers again.
    if not hasattr(FUSED, "_numbers_are_free"):
        pytest.skip("this engine does not tell devices apart")
    weights, grads = _data()
    expected = _generic(monkeypatch, _train_donated, name, kwargs, weights, grads)
    monkeypatch.setattr(FUSED, "_numbers_are_free", lambda tensor: False)
    actual = _train_donated(name, kwargs, weights, grads)
    _assert_close(expected[0], actual[0])
    _assert_close(expected[1], actual[1])


def test_subclass_with_its_own_rule_is_not_fused():
    class HalfSGD(optimizers.SGD):
        def update_step(self, gradient, variable, learning_rate):
            self.assign_sub(
                variable, ops.multiply(ops.cast(learning_rate, "float32") / 2, gradient)
            )

    variable = Variable(np.ones((3,), "float32"))
    HalfSGD(learning_rate=0.5).apply([np.ones((3,), "float32")], [variable])
    np.testing.assert_allclose(variable.numpy(), [0.75, 0.75, 0.75])


def test_constraints_apply_after_the_update():
    variable = Variable(np.full((3,), 2.0, "float32"), constraint=constraints.NonNeg())
    optimizer = optimizers.Adam(learning_rate=1.0)
    for _ in range(3):
        optimizer.apply([np.ones((3,), "float32")], [variable])
    np.testing.assert_array_equal(variable.numpy(), np.zeros((3,), "float32"))


def _trainer_like(optimizer, variables, steps, between=lambda step: None):
    """Steps as the trainer runs them: donated scopes, the state written back after each."""
    grads = [np.full(v.shape, 0.5, "float32") for v in variables]
    owners = variables + optimizer.variables
    state = [v.value for v in owners]
    outputs = []
    for step in range(steps):
        with StatelessScope(list(zip(owners, state)), donate=True) as scope:
            optimizer.apply(grads, variables)
        state = [scope.value_of(v) for v in owners]
        for v, value in zip(owners, state):
            v._value = value
        outputs.append(state[0])
        between(step)
    return outputs


def test_values_handed_out_never_change():
    # What user code holds between steps (a value read through `variable.value`,
    # a variable assigned from it, a NumPy copy) keeps its numbers, whatever the
    # engine does in place.
    variable = Variable(np.ones((4,), "float32"), name="kernel")
    optimizer = optimizers.Adam(learning_rate=0.1)
    optimizer.build([variable])
    target = Variable(np.zeros((4,), "float32"))
    held = {}

    def between(step):
        if step == 2:
            held["value"] = variable.value
            held["copy"] = ops.convert_to_numpy(held["value"])
            held["numpy"] = variable.numpy()
            target.assign(variable)

    _trainer_like(optimizer, [variable], 6, between)
    np.testing.assert_array_equal(ops.convert_to_numpy(held["value"]), held["copy"])
    np.testing.assert_array_equal(held["numpy"], held["copy"])
    np.testing.assert_array_equal(target.numpy(), held["copy"])
    assert not np.array_equal(variable.numpy(), held["copy"])


def test_plain_scope_values_are_not_overwritten():
    # A scope that does not donate (stateless_apply, a custom loop) keeps its inputs.
    variable = Variable(np.ones((4,), "float32"))
    optimizer = optimizers.SGD(learning_rate=0.1, momentum=0.9)
    optimizer.build([variable])
    values = [variable.value]
    slots = [v.value for v in optimizer.variables]
    kept = []
    for _ in range(4):
        values, slots = optimizer.stateless_apply(slots, [np.ones((4,), "float32")], values)
        kept.append((values[0], ops.convert_to_numpy(values[0])))
    for value, copy in kept:
        np.testing.assert_array_equal(ops.convert_to_numpy(value), copy)


@needs_fused
@pytest.mark.skipif(
    engine.__name__.endswith("tensorflow"),
    reason="TensorFlow's tensors are immutable: its fused update makes new ones",
)
def test_donated_exclusive_buffers_are_updated_in_place():
    variable = Variable(np.ones((8,), "float32"))
    optimizer = optimizers.Adam()
    optimizer.build([variable])
    outputs = _trainer_like(optimizer, [variable], 4)
    # The first step copies the buffers it was handed out; later steps reuse them.
    assert outputs[0] is outputs[1] is outputs[2] is outputs[3]
