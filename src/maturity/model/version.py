"""The version of maturity: written once here (the build reads it from this file), and imported from here by
every layer that records it in what it writes, so no module has to import the package's front door."""

__version__ = "0.1.0"
