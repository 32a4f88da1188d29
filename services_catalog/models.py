"""Models of the services_catalog app (arrive with their issue)."""
