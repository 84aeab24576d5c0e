"""Untrusted proof strategies. Each returns a ProofResult whose certificate the checker re-derives."""
