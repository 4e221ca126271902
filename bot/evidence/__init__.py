"""Evidence stage: the person's append-only, hash-chained evidence log, its statistics and its exports."""
