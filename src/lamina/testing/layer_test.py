"""One reusable layer check: build, shapes, config round trip, fit, Keras parity.

Every layer test calls `run_layer_test`; spatial layers run it in both data
formats. `assert_keras_parity` runs real Keras 3 beside lamina on the same
engine, the same weights and the same inputs.
"""

from __future__ import annotations

import os

import numpy as np

from lamina import backend
from lamina.utils import _tree


def _random_inputs(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    if "int" in dtype:
        return rng.integers(0, 4, size=shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def run_layer_test(
    layer_cls,
    init_kwargs: dict,
    input_shape,
    expected_output_shape=None,
    input_dtype: str = "float32",
    input_data=None,
    expected_num_trainable_weights: int | None = None,
    expected_num_non_trainable_weights: int | None = None,
    run_training: bool = True,
    call_kwargs: dict | None = None,
):
    """Build `layer_cls(**init_kwargs)`, call it eagerly and symbolically, round-trip its
    config, and (when `run_training`) fit a one-layer model for a few steps.

    `input_shape` includes the batch dimension; for several inputs pass a list of shapes.
    Returns the eager output as NumPy.
    """
    from lamina import layers as layers_module

    call_kwargs = dict(call_kwargs or {})
    multi = isinstance(input_shape, list)
    shapes = input_shape if multi else [input_shape]
    if input_data is None:
        data = [_random_inputs(s, input_dtype, seed=i) for i, s in enumerate(shapes)]
    else:
        data = list(input_data) if multi else [input_data]

    # 1. Config round trip, before and after building.
    layer = layer_cls(**init_kwargs)
    config = layer.get_config()
    clone = layer_cls.from_config(config)
    assert _strip_name(clone.get_config()) == _strip_name(config), (config, clone.get_config())

    # 2. Eager call: output shape and weight counts.
    eager_inputs = data if multi else data[0]
    output = layer(eager_inputs, **call_kwargs)
    out_shapes = [tuple(backend.engine.core.shape(o)) for o in _tree.flatten(output)]
    if expected_output_shape is not None:
        expected = (
            expected_output_shape
            if isinstance(expected_output_shape, list)
            else [expected_output_shape]
        )
        assert out_shapes == [tuple(e) for e in expected], (out_shapes, expected)
    if expected_num_trainable_weights is not None:
        assert len(layer.trainable_weights) == expected_num_trainable_weights, (
            layer.trainable_weights
        )
    if expected_num_non_trainable_weights is not None:
        assert len(layer.non_trainable_weights) == expected_num_non_trainable_weights
    rebuilt = layer_cls.from_config(layer.get_config())
    assert _strip_name(rebuilt.get_config()) == _strip_name(layer.get_config())

    # 3. Symbolic call with an unknown batch size gives the same shapes.
    inputs = [layers_module.Input(shape=s[1:], dtype=input_dtype) for s in shapes]
    symbolic = layer_cls(**init_kwargs)(inputs if multi else inputs[0], **call_kwargs)
    sym_shapes = [tuple(t.shape) for t in _tree.flatten(symbolic)]
    for sym, eager in zip(sym_shapes, out_shapes):
        assert len(sym) == len(eager), (sym, eager)
        for s, e in zip(sym[1:], eager[1:]):
            assert s is None or s == e, (sym_shapes, out_shapes)

    # 4. A short fit on a model made of this layer.
    if run_training:
        from lamina.models import Model  # only here: layer checks must not need the trainer

        model = Model(inputs if multi else inputs[0], symbolic)
        targets = [np.zeros(s, dtype="float32") for s in out_shapes]
        targets = [t if len(t.shape) else t.reshape(1) for t in targets]
        model.compile(optimizer="sgd", loss="mse")
        model.fit(
            data if multi else data[0],
            targets if len(targets) > 1 else targets[0],
            batch_size=max(1, shapes[0][0] // 2),
            epochs=1,
            verbose=0,
        )
    return [backend.engine.core.convert_to_numpy(o) for o in _tree.flatten(output)]


def _strip_name(config: dict) -> dict:
    return {k: v for k, v in config.items() if k != "name"}


def keras_module():
    """Real Keras 3 on lamina's engine, or None when it cannot load here."""
    os.environ["KERAS_BACKEND"] = backend.backend()
    try:
        import keras
    except Exception:  # noqa: BLE001 - any import failure means "no parity check possible"
        return None
    if keras.backend.backend() != backend.backend():
        return None
    return keras


def assert_keras_parity(lamina_layer, keras_layer, inputs, atol: float = 1e-5, call_kwargs=None):
    """Copy lamina's weights into `keras_layer`, call both on `inputs`, compare outputs."""
    call_kwargs = dict(call_kwargs or {})
    ours = lamina_layer(inputs, **call_kwargs)
    keras_layer(inputs, **call_kwargs)  # build
    theirs_weights = keras_layer.weights
    own_weights = lamina_layer.weights
    assert len(theirs_weights) == len(own_weights), (
        [w.path for w in own_weights],
        [w.path for w in theirs_weights],
    )
    for ours_w, theirs_w in zip(own_weights, theirs_weights):
        assert tuple(ours_w.shape) == tuple(theirs_w.shape), (ours_w.path, theirs_w.path)
        theirs_w.assign(ours_w.numpy())
    theirs = keras_layer(inputs, **call_kwargs)
    for a, b in zip(_tree.flatten(ours), _tree.flatten(theirs)):
        np.testing.assert_allclose(
            backend.engine.core.convert_to_numpy(a),
            # Keras's own conversion: its tensors may be tied to its autograd (torch).
            keras_module().ops.convert_to_numpy(b),
            atol=atol,
            rtol=atol,
        )
