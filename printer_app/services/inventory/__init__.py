"""Printers, organizations, the printer list query, the dashboard figures, the model catalogue and demo data."""
