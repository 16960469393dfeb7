"""Management commands of the cooperation app."""
