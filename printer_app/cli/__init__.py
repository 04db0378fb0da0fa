"""The management commands (`python -m printer_app ...`): database, demo data, polling, users and access."""
