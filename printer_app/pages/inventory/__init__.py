"""Inventory pages: dashboard, printers, printer detail, organizations, discovery."""
