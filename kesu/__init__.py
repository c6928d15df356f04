"""kesu 客诉 — complaint handling and consumer-protection workbench."""

__version__ = "0.1.0"
