"""linalg functions of the backend contract on jax."""
