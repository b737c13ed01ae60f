"""workbench: news articles → Label Studio → reconciled, versioned annotation datasets."""

__version__ = "0.1.0"
