"""The contract below every stage: messages in and out, the session a handler reads, and the handler protocol."""
