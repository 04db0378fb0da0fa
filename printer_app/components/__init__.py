"""Reusable UI pieces: layout, tables, forms, dialogs, badges; by context where a context has several."""
