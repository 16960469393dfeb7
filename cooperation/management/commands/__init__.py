"""Commands for operators: loading the curated fixtures."""
