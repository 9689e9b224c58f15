"""codex-cli: write and keep a claim-based markdown knowledge base."""

__version__ = "0.1.0"
