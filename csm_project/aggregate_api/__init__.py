"""The Aggregate API: counts and statistics over a table, computed in the database."""
