"""What the two housing datasets share: an `.npz` of `x` and `y`, shuffled and split."""

from __future__ import annotations

from lamina.datasets._readers import corrupt_file_error, load_npz


def load_rows(path: str, features: int):
    """The `x (n, features)` and `y (n,)` arrays of the `.npz` file at `path`, checked."""
    arrays = load_npz(path, ("x", "y"))
    x, y = arrays["x"], arrays["y"]
    if x.ndim != 2 or x.shape[1] != features or y.shape != (len(x),):
        raise corrupt_file_error(
            path,
            f"an .npz of x (n, {features}) and y (n,)",
            f"x has shape {x.shape} and y {y.shape}",
        )
    return x, y
