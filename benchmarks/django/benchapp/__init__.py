"""The models of the Django side of the comparative benchmarks."""
