"""Speaker recognition trainer: synthetic corpus, preparation, ECAPA-TDNN embeddings, enrolment, export.

Heavy modules (torch, Lightning) are imported by the submodules, not here, so ``trixy_trainer.speaker.cli`` stays
cheap to import.
"""
