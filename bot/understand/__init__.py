"""Understanding stage (② ½): what the person means in this conversation: memory, intent, safety, details."""
