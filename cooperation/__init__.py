"""The cooperation app: the catalogue of space-cooperation agreements."""
