"""Live scanner backends. Each module exposes a scanner class and ``availability() -> (usable, reason)``."""
