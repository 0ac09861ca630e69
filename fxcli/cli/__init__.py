"""The command-line layer: parsing (click), printing (rich on a terminal), and the one error boundary."""
