"""lamina.mixed_precision: float16 / bfloat16 computation with float32 weights.

    lamina.mixed_precision.set_global_policy("mixed_float16")

makes layers created afterwards compute in float16 and keep float32 weights;
`compile` then wraps the optimizer in a `LossScaleOptimizer`. Keep the last
layer in float32 (`dtype="float32"`) for a numerically stable softmax.
"""

from lamina.dtype_policies.dtype_policy import DTypePolicy as DTypePolicy
from lamina.dtype_policies.dtype_policy import DTypePolicy as Policy
from lamina.dtype_policies.dtype_policy import dtype_policy as dtype_policy
from lamina.dtype_policies.dtype_policy import dtype_policy as global_policy
from lamina.dtype_policies.dtype_policy import set_dtype_policy as set_dtype_policy
from lamina.dtype_policies.dtype_policy import set_dtype_policy as set_global_policy
from lamina.optimizers.loss_scale_optimizer import LossScaleOptimizer as LossScaleOptimizer

__all__ = [
    "DTypePolicy",
    "LossScaleOptimizer",
    "Policy",
    "dtype_policy",
    "global_policy",
    "set_dtype_policy",
    "set_global_policy",
]
