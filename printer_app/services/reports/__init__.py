"""Monthly reports: the billing sheet per month with K1 / K2 (docs/reports.md; built by the coming issues)."""
