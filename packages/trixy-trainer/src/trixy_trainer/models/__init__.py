"""Wake-word (and later speaker) network architectures, selectable by name from the Hydra ``model`` group."""

from trixy_trainer.models.registry import ARCHITECTURES, build_backbone
from trixy_trainer.models.wakeword_net import WakewordBackboneProbabilities, WakewordNet

__all__ = ["ARCHITECTURES", "WakewordBackboneProbabilities", "WakewordNet", "build_backbone"]
