"""Benchmarks and the proof suite's long runs (`python -m bench.<name>`), with their latest results."""
