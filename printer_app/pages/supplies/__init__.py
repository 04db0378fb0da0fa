"""Supplies: forecasts, the fleet view and low-supply alerts."""
