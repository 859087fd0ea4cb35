"""functional functions of the backend contract on tensorflow."""
