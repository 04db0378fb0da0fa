"""Supplies: cartridge lifetimes, days-to-empty forecasts, the fleet's supplies view and low-supply alerts."""
