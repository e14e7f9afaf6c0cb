"""Benchmarks (run as scripts) and the synthetic KB generator they share."""
