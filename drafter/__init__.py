"""drafter: news links about crypto security incidents in, draft dossiers out."""
__version__ = "0.1.0"
