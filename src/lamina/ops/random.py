"""lamina.ops.random."""

__all__: list[str] = []
