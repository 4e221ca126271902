"""Documents: templates, rendering, validation."""
