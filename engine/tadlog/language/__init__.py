"""The knowledge-base language: grammar-facing parser, model, validation, quote checks."""
