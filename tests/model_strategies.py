"""Hypothesis strategies shared by the property tests: random small Max-of-k models."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

# V tokens, n positions, d_model, d_head, weight seed and scale (tests write the model with reference.write_model)
given_random_model = given(
    V=st.integers(2, 6),
    n=st.integers(1, 3),
    d=st.integers(1, 4),
    h=st.integers(1, 4),
    seed=st.integers(0, 10_000),
    scale=st.sampled_from([0.1, 1.0, 3.0]),
)
