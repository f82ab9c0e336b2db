"""Data handling shared by the trainers: WAV I/O, synthetic corpora, preparation and splits."""
