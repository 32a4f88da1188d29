"""Periodic jobs of the path to autonomy: none yet (the milestones are computed on read)."""
