import Lake
open Lake DSL

-- pybridge: Lean 4 mirror of the Coq checkers (core Lean only: no Mathlib, no Batteries).
-- NOTE: written without a Lean toolchain on the authoring machine; never compiled there.
package pybridge where
  leanOptions := #[⟨`autoImplicit, false⟩]

-- Builds every module under Proofs/ (library and generated certificates in Proofs/Certificates/).
@[default_target]
lean_lib Proofs where
  globs := #[.submodules `Proofs]
