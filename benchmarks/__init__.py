"""Benchmarks: a synthetic NCA-shaped archive, a local site to serve it, and `make bench`."""
