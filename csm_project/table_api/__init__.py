"""The Table API: the platform's generic REST surface over every table of the registry."""
