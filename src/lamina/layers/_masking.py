"""Masks: which entries of a tensor count, carried beside the tensor.

A mask is a boolean tensor, usually `(batch, timesteps)`, made by a layer's
`compute_mask` (`Embedding(mask_zero=True)`, `Masking`) and read by the layers
downstream (`call(..., mask=...)`) and by losses and metrics (which weight by
the mask of `y_pred`).

Not every engine's tensors take attributes (JAX arrays under `jit` and `grad`
do not, NumPy arrays never do), so the masks live in a side table keyed by the
tensor's `id`, with a weak reference that both checks the entry belongs to
this very object (ids are reused) and removes the entry when the tensor dies.
Objects that refuse weak references (autograd's boxes) are held strongly in a
small table of the most recent ones.
Where the tensor takes attributes, the mask is also set as `_keras_mask`,
which user code written for Keras reads. The tensors of TensorFlow, JAX
(tracers included) and PyTorch accept weak references.

The table only carries masks between calls made in one Python process on the
same objects; functional models and the trainer's step pass them along
explicitly where objects are rebuilt (the auxiliary outputs of a gradient).
"""

from __future__ import annotations

import collections
import warnings
import weakref

from lamina import ops
from lamina.backend import engine as _engine
from lamina.backend._keras_tensor import KerasTensor
from lamina.utils import _tree

_ATTRIBUTE = "_keras_mask"
_table: dict[int, tuple] = {}
# Tensors that take neither weak references nor attributes (autograd's boxes on
# the NumPy engine) are held strongly, the most recent few only.
_strong: collections.OrderedDict = collections.OrderedDict()
_STRONG_LIMIT = 256


def _remember_strongly(key: int, x, mask) -> None:
    _strong[key] = (x, mask)
    _strong.move_to_end(key)
    while len(_strong) > _STRONG_LIMIT:
        _strong.popitem(last=False)


def _forget(key: int, ref) -> None:
    entry = _table.get(key)
    if entry is not None and entry[0] is ref:
        del _table[key]


def get_mask(x):
    """The mask attached to tensor `x`, or None."""
    if x is None or isinstance(x, (int, float, bool, str)):
        return None
    entry = _table.get(id(x))
    if entry is not None and entry[0]() is x:
        return entry[1]
    entry = _strong.get(id(x))
    if entry is not None and entry[0] is x:
        return entry[1]
    try:
        return getattr(x, _ATTRIBUTE, None)
    except Exception:  # some engines' tensors raise other errors on unknown attributes
        return None


def set_mask(x, mask) -> None:
    """Attach `mask` to tensor `x` (None removes it)."""
    if x is None or isinstance(x, (int, float, bool, str)):
        return
    key = id(x)
    if mask is None:
        _table.pop(key, None)
        _strong.pop(key, None)
    else:
        try:
            _table[key] = (weakref.ref(x, lambda r, key=key: _forget(key, r)), mask)
        except TypeError:
            _remember_strongly(key, x, mask)
    try:
        setattr(x, _ATTRIBUTE, mask)
    except (AttributeError, TypeError):
        pass


def get_masks(structure):
    """`get_mask` of each tensor in a nested structure (same structure)."""
    return _tree.map_structure(get_mask, structure)


def set_masks(structure, masks) -> None:
    """Attach each mask of `masks` to the matching tensor of `structure`."""
    if masks is None:
        return
    flat_masks = _tree.flatten(masks) if _tree.is_nested(masks) else [masks]
    flat = _tree.flatten(structure)
    if len(flat_masks) != len(flat):
        return
    for tensor, mask in zip(flat, flat_masks):
        if mask is not None:
            set_mask(tensor, mask)


def _any_mask(masks) -> bool:
    return any(m is not None for m in _tree.flatten(masks))


def _to_tensor(mask):
    if mask is None or isinstance(mask, KerasTensor) or _engine.core.is_tensor(mask):
        return mask
    return ops.convert_to_tensor(mask)


def previous_mask(args, kwargs):
    """The mask a call works with: an explicit `mask=`, else the first input's masks."""
    explicit = kwargs.get("mask")
    if explicit is not None:
        return _tree.map_structure(_to_tensor, explicit)
    first = args[0] if args else next(iter(kwargs.values()), None)
    if not _tree.is_nested(first):
        mask = get_mask(first)
        if not _tree.is_nested(mask):
            return mask
    masks = get_masks(first)
    return masks if _any_mask(masks) else None


def fill_mask_argument(layer, kwargs, mask) -> None:
    """Pass `mask` to `layer.call` when it takes one and none was given."""
    if layer._call_has_mask and kwargs.get("mask") is None and mask is not None:
        kwargs["mask"] = mask


def attach_output_masks(layer, inputs, outputs, mask) -> None:
    """Set the masks of `outputs` from `layer.compute_mask(inputs, mask)`.

    Outputs that already carry masks (a model's outputs, set by its inner
    layers) keep them. A layer that does not support masking drops the mask,
    with a warning as in Keras.
    """
    flat_outputs = _tree.flatten(outputs)
    if flat_outputs and all(get_mask(x) is not None for x in flat_outputs):
        return
    if not layer.supports_masking:
        warns = getattr(layer, "_warns_on_dropped_mask", True) and not _is_model(layer)
        if warns and mask is not None and _any_mask(mask):
            warnings.warn(
                f"Layer {layer.name!r} ({type(layer).__name__}) got an input with a mask, but "
                "it does not support masking, so the mask stops here: layers after it will not "
                "see it. Remove the mask upstream (e.g. Embedding(mask_zero=False)) or use "
                "layers that support masking.",
                UserWarning,
                stacklevel=3,
            )
        return
    output_masks = layer.compute_mask(inputs, mask)
    if output_masks is None:
        return
    for tensor, out_mask in zip(flat_outputs, _tree.flatten(output_masks)):
        if out_mask is not None and get_mask(tensor) is None:
            set_mask(tensor, out_mask)


def _is_model(layer) -> bool:
    return hasattr(layer, "_init_trainer")


def time_mask(mask):
    """A sequence mask as a boolean `(batch, timesteps)` tensor, or None.

    Accepts what Keras accepts: a list (its first mask counts) and trailing
    size-1 axes, `(batch, timesteps, 1)`.
    """
    if isinstance(mask, (list, tuple)):
        mask = mask[0] if mask else None
    if mask is None:
        return None
    mask = _to_tensor(mask)
    while len(ops.shape(mask)) > 2:
        mask = ops.squeeze(mask, axis=-1)
    return mask if ops.dtype(mask) == "bool" else ops.cast(mask, "bool")
