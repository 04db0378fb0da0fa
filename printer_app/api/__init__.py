"""JSON and HTML endpoints mounted beside the Reflex app (sign-in, sign-out, the current user)."""
