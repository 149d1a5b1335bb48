"""Benchmarks of the hub against the raw database drivers (`make bench`)."""
