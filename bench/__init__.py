"""`make bench`: the load generator and its runner (see bench/run.py)."""
