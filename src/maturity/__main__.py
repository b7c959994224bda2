"""`python -m maturity` runs the command line."""

from maturity.cli import run

run()
