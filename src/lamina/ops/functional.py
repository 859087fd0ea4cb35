"""lamina.ops.functional."""

__all__: list[str] = []
