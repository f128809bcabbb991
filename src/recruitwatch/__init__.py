"""recruitwatch: offline monitoring of extremist recruitment outreach for analysts."""

__version__ = "0.1.0"
