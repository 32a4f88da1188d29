"""Models of the vault app (arrive with their issue)."""
