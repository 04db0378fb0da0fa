"""Supplies: the fleet's supplies and forecasts, what to order, low-supply alerts."""
