"""Benchmarks behind `planet bench …`: each returns one dict of figures.

Every figure is measured in the same process as its baseline, on this machine, and
reports the core count, so ratios stay meaningful from one machine to another.
"""
