"""The test suite of Cooperation Atlas."""
