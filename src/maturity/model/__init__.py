"""The formats and results as data: definitions (pydantic models), the explained assessment, problems."""
