"""Fare calculator and reconnection-decision service for designated-driver support."""

__version__ = "0.1.0"
