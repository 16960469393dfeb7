"""The benchmark of Cooperation Atlas: `make bench` (bench/run.py)."""
