"""lamina.ops.numpy."""

__all__: list[str] = []
