"""Printing: the shared PDF layer (``layout``) and the registry of printable forms."""
