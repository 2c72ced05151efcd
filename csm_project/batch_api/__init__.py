"""The Batch API: several REST calls in one request."""
