"""The pure engine: conditions, scoring and its explanation, roadmap, comparison, the interview's logic."""
