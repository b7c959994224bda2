"""Cross-file checks of definitions and answers, and validating folders of them."""
