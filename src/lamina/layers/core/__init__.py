"""core layers."""

__all__: list[str] = []
