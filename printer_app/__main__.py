"""`python -m printer_app` runs the management CLI."""

from printer_app.cli.main import main

main()
