"""civcas: Python glue for the civilian-harm warehouse (raw checks, demo data, CLI)."""

__version__ = "0.1.0"
