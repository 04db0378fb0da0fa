"""Components of the contracts pages."""
