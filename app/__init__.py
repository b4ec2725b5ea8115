"""The `optally` command, `optally serve` and `make ui`, the demo and its sample site."""
