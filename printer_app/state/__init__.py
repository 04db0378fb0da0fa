"""Reflex page states by context, thin: they call services (in a worker thread) and hold what the page shows."""
