"""Simulation: the real core on a simulated clock and population (`planet simulate`)."""
