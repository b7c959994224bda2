"""Turning results into text for people and programs: reports, problem formats, JSON Schema."""
