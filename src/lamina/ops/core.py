"""lamina.ops.core."""

__all__: list[str] = []
