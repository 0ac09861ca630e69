"""Pictures of tracks, sweeps, training logs and scores (matplotlib, imported lazily)."""
