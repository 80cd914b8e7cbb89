"""Engines drive the application: the embedded sequencer and (later) CometBFT."""
