"""Wake-word trainer: data module, Lightning module, training entry point, export and evaluation."""
