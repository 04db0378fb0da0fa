"""Supplies: the fleet's supplies, what to order."""
