"""The library layer the commands share: finding definitions, scoring files one by one or in batches, rule cases."""
