"""pad_sequences: lists of different lengths as one padded array (Keras's utility)."""

from __future__ import annotations

import numpy as np


def pad_sequences(
    sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0
) -> np.ndarray:
    """Pad (and cut) sequences to one length: an array `(len(sequences), maxlen, ...)`.

    Args:
        sequences: a list of sequences (lists or arrays); each step may itself
            be an array (all of one shape).
        maxlen: the length of the result (default: the longest sequence).
        dtype: the result's dtype (strings need a string dtype, e.g. "object").
        padding: "pre" or "post": where padding goes.
        truncating: "pre" or "post": which end of a longer sequence is cut.
        value: the padding value.

    Example:
        >>> lamina.utils.pad_sequences([[1, 2, 3], [4]], maxlen=2)
        array([[2, 3],
               [0, 4]], dtype=int32)
    """
    for name, choice in (("padding", padding), ("truncating", truncating)):
        if choice not in ("pre", "post"):
            raise ValueError(f'pad_sequences: {name} must be "pre" or "post"; got {choice!r}.')
    if not hasattr(sequences, "__len__"):
        raise ValueError(
            f"pad_sequences takes a list of sequences; got {type(sequences).__name__}."
        )
    lengths, sample_shape = [], ()
    for i, seq in enumerate(sequences):
        if not hasattr(seq, "__len__"):
            raise ValueError(
                f"pad_sequences: sequences[{i}] is {seq!r}, not a sequence; "
                "pass a list of lists (or arrays)."
            )
        lengths.append(len(seq))
        if len(seq) and not sample_shape:
            sample_shape = np.asarray(seq).shape[1:]
    if maxlen is None:
        maxlen = max(lengths, default=0)
    if isinstance(maxlen, bool) or int(maxlen) != maxlen or maxlen < 0:
        raise ValueError(f"pad_sequences: maxlen must be an integer >= 0; got {maxlen!r}.")
    maxlen = int(maxlen)
    is_text = np.issubdtype(np.dtype(dtype), np.str_) or np.dtype(dtype) == object
    if isinstance(value, str) and not is_text:
        raise ValueError(
            f"pad_sequences: value {value!r} is a string but dtype is {dtype!r}; use "
            'dtype="object" (or a string dtype) to pad text.'
        )
    result = np.full((len(sequences), maxlen) + tuple(sample_shape), value, dtype=dtype)
    for i, seq in enumerate(sequences):
        if not len(seq) or not maxlen:
            continue
        part = np.asarray(seq, dtype=dtype)
        part = part[-maxlen:] if truncating == "pre" else part[:maxlen]
        if part.shape[1:] != tuple(sample_shape):
            raise ValueError(
                f"pad_sequences: the steps of sequences[{i}] have shape {part.shape[1:]}, "
                f"those of the first non-empty sequence {tuple(sample_shape)}; all steps "
                "must have one shape."
            )
        if padding == "post":
            result[i, : len(part)] = part
        else:
            result[i, maxlen - len(part) :] = part
    return result
