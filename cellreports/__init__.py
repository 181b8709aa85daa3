"""cellreports: monthly Party-cell reports into validated district figures."""

__version__ = "0.1.0"
