"""Finite groups for the group-operation family (prover side, untrusted): permutation groups with
multiplication tables, inverses and conjugacy classes (`perm`), and exactly verified real orthogonal
irreducible representations (`irreps`)."""

from .perm import PermGroup, group, group_elements

__all__ = ["PermGroup", "group", "group_elements"]
