"""Feature front ends in pure torch (exported inside the ONNX graphs)."""

from trixy_trainer.features.logmel import FeatureSettings, LogMel, mel_filterbank

__all__ = ["FeatureSettings", "LogMel", "mel_filterbank"]
