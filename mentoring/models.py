"""Models of the mentoring app (arrive with their issue)."""
