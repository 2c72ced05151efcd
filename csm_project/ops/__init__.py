"""Operations: request ids and JSON logs, health and readiness probes, the request-line limit,
and the answer when the database is unreachable."""
