"""Contracts: reference data and contracted devices, linked to polled printers by serial."""
