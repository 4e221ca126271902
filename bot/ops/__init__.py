"""Operations: readiness, Prometheus metrics and data retention for the running service."""
