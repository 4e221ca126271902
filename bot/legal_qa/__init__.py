"""Legal Q&A stage (③c): knowledge loading, indexing, retrieval and cited answers."""
