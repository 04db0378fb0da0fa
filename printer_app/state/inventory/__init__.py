"""States of the inventory pages: dashboard, printers, printer detail and form, organizations, discovery."""
