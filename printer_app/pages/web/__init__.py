"""The web rule builder page."""
