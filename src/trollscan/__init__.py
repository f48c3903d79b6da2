"""trollscan: find troll farms in social-media data, and keep every piece of evidence."""

__version__ = "0.1.0"
__all__ = ["__version__"]
