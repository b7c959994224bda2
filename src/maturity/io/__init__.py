"""Reading and writing files: the safe YAML/JSON loader, atomic writes, where bundled definitions live."""
