"""lamina.ops.nn."""

__all__: list[str] = []
