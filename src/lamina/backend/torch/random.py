"""random functions of the backend contract on torch.

Every function is stateless: the numbers depend on `seed` alone, an int tensor
of shape (2,) whose two values seed a fresh `torch.Generator` (as one 64-bit
seed). Reading them is a device-to-host copy when the seed lives on a GPU.
`seed=None` draws a fresh seed from NumPy's global generator, so those calls
are not reproducible unless NumPy is seeded.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from lamina.backend.torch.core import (
    DEVICE,
    _floatx,
    _is_symbolic,
    _torch_dtype,
    convert_to_tensor,
)


def _seed_values(seed) -> tuple[int, int]:
    if seed is None:
        return tuple(int(v) for v in np.random.randint(0, 2**31 - 1, size=2))
    if isinstance(seed, (int, np.integer)):
        return 0, int(seed)
    seed = convert_to_tensor(seed)
    if _is_symbolic(seed):
        # eval_shape: only the shape of the draw matters.
        return 0, 0
    first, second = seed.reshape(-1).tolist()
    return int(first), int(second)


_MASK64 = (1 << 64) - 1


def _mix(value: int) -> int:
    # SplitMix64's finalizer: every output bit depends on every input bit.
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK64
    return value ^ (value >> 31)


def _generator(seed, device=DEVICE) -> torch.Generator:
    first, second = _seed_values(seed)
    generator = torch.Generator(device=device)
    # torch's CPU generator (a Mersenne Twister) keeps only the low 32 bits
    # of its seed: the two seed values are mixed so that both reach them.
    generator.manual_seed(_mix(((first & 0xFFFFFFFF) << 32) | (second & 0xFFFFFFFF)))
    return generator


def _shape(shape) -> tuple:
    return (int(shape),) if isinstance(shape, int) else tuple(int(d) for d in shape)


def _float_dtype(dtype):
    return _torch_dtype(dtype) or _floatx()


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    values = torch.randn(_shape(shape), generator=_generator(seed), dtype=dtype, device=DEVICE)
    return values * stddev + mean


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    values = torch.rand(_shape(shape), generator=_generator(seed), dtype=dtype, device=DEVICE)
    return values * (maxval - minval) + minval


# The standard normal CDF at -2 and 2: truncated draws stay within two stddevs,
# as tf.random.truncated_normal's do.
_LOW = 0.5 * (1.0 + math.erf(-2.0 / math.sqrt(2.0)))
_HIGH = 1.0 - _LOW


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    # Inverse-CDF sampling between the cut points: one draw, no rejection loop.
    u = torch.rand(_shape(shape), generator=_generator(seed), dtype=torch.float32, device=DEVICE)
    u = u * (_HIGH - _LOW) + _LOW
    values = math.sqrt(2.0) * torch.erfinv(2.0 * u - 1.0)
    return (values.clamp(-2.0, 2.0) * stddev + mean).to(dtype)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    return torch.randint(
        int(minval),
        int(maxval),
        _shape(shape),
        generator=_generator(seed),
        dtype=_torch_dtype(dtype),
        device=DEVICE,
    )


def _noise_shape(inputs, noise_shape):
    if noise_shape is None:
        return tuple(inputs.shape)
    # A None entry takes the size of the matching input dim, as in Keras.
    return tuple(inputs.shape[i] if d is None else int(d) for i, d in enumerate(noise_shape))


def dropout(inputs, rate, noise_shape=None, seed=None):
    inputs = convert_to_tensor(inputs)
    draw = torch.rand(
        _noise_shape(inputs, noise_shape),
        generator=_generator(seed, inputs.device),
        dtype=inputs.dtype,
        device=inputs.device,
    )
    rate = float(rate)
    # At rate 1 nothing is kept, so the division by zero is never selected.
    scaled = inputs / (1.0 - rate) if rate < 1.0 else inputs
    return torch.where(
        draw >= rate, scaled, torch.zeros((), dtype=inputs.dtype, device=inputs.device)
    )


def shuffle(x, axis=0, seed=None):
    x = convert_to_tensor(x)
    permutation = torch.randperm(
        x.shape[axis], generator=_generator(seed, x.device), device=x.device
    )
    return torch.index_select(x, axis, permutation)


def categorical(logits, num_samples, dtype="int32", seed=None):
    logits = convert_to_tensor(logits)
    probabilities = torch.softmax(logits.to(torch.float64), dim=-1)
    draws = torch.multinomial(
        probabilities,
        int(num_samples),
        replacement=True,
        generator=_generator(seed, logits.device),
    )
    return draws.to(_torch_dtype(dtype))


def _float_parameter(value, dtype, shape):
    value = convert_to_tensor(value).to(device=DEVICE, dtype=dtype)
    return torch.broadcast_to(value, shape)


def _compute_dtype(dtype):
    # torch samples gamma and binomial in float32/float64; narrower floats round after.
    return torch.float64 if dtype == torch.float64 else torch.float32


def gamma(shape, alpha, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    alpha = _float_parameter(alpha, _compute_dtype(dtype), _shape(shape))
    return torch._standard_gamma(alpha, generator=_generator(seed)).to(dtype)


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    compute = _compute_dtype(dtype)
    counts = _float_parameter(counts, compute, _shape(shape))
    probabilities = _float_parameter(probabilities, compute, _shape(shape))
    return torch.binomial(counts, probabilities, generator=_generator(seed)).to(dtype)


def beta(shape, alpha, beta, dtype=None, seed=None):
    dtype = _float_dtype(dtype)
    compute = _compute_dtype(dtype)
    shape = _shape(shape)
    # X / (X + Y) with X ~ Gamma(alpha), Y ~ Gamma(beta), drawn one after the
    # other from the seed's generator.
    generator = _generator(seed)
    x = torch._standard_gamma(_float_parameter(alpha, compute, shape), generator=generator)
    y = torch._standard_gamma(_float_parameter(beta, compute, shape), generator=generator)
    return (x / (x + y)).to(dtype)
