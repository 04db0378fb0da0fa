"""Contracts pages."""
