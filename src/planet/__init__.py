"""Planet: people own their behavioural data and are rewarded for their activity."""

__version__ = "0.1.0"
