"""Benchmarks: commands that print figures and write them to `benchmarks/results/`, never tests.
Run each from the repository root: `uv run python -m benchmarks.<name>`."""
