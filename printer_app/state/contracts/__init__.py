"""States of the contracts pages."""
