"""One module per page, by context; the route table is printer_app/printer_app.py."""
