"""Storage: the database, encryption at rest and the repositories built on them."""
