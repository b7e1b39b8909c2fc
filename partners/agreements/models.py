"""Models of this sub-app."""
