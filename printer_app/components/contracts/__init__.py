"""Widgets of the contracts pages."""
