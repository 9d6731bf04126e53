"""One module per printable form; each registers itself with ``registry.printable``."""
