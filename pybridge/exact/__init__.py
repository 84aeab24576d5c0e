"""Prover-side exact arithmetic: dyadic rationals, rational intervals with outward rounding,
rigorous exp and 1/sqrt enclosures (mpmath), and the vectorised outward-rounded float64 path."""
