"""lamina.saving: serialization of lamina objects."""
