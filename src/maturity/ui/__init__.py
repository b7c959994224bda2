"""The terminal: prompters (the only rich import) and the interactive assessment session."""
