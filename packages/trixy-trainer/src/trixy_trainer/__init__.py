"""Trixy trainers: data preparation, RepCNN wake-word and ECAPA-TDNN speaker models, export with metadata."""

__version__ = "0.1.0"
