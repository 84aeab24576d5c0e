/-
Cubic: the block strategy of CHECKING.md section 6 (mirror of coq/theories/Cubic.v, definitions).

A block `(q, m, N, K)` (natural numbers; `N`, `K` bitmasks) stands for the inputs with query `q`,
tokens from `K` at the non-query positions in `N`, and `m` at the other non-query positions.
`check_cubic` checks the global conditions, that every block is well formed, that the keys
`(q, m, N)` are strictly increasing (hence distinct: the exporter sorts the blocks), and that
`N ≤ sum over passing blocks of |K|^|N|`.

STATUS: the checker is defined here; its soundness theorem `check_cubic_sound` is NOT yet proven in
the Lean mirror (see Proofs/README.md).  The Coq library proves it (coq/theories/Cubic.v).  The
ingredients it needs are already proven here: `weights_enclose`, `lbZ_le`, `correct_of_margins`,
`prod_list`/`ND` lemmas.

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/
import Proofs.BruteForce

namespace Pybridge

/-- A block `(q, m, N, K)`. -/
abbrev block : Type := Nat × Nat × Nat × Nat

/-- Minimum of a list of integers (0 for the empty list). -/
def zmin_list : List Int → Int
  | [] => 0
  | a :: l => l.foldl (fun x y => if x ≤ y then x else y) a

/-- Maximum of a list of integers (0 for the empty list). -/
def zmax_list : List Int → Int := maxL

/-- The tokens `j ≠ m` below `V`. -/
def others (V m : Nat) : List Nat := filt (fun j => !(j == m)) (seq 0 V)

/-- `dE[q][m] = min_{j ≠ m} (EU[q][m] - EU[q][j])`. -/
def tab_dE (M : Model) : List (List Int) :=
  (seq 0 M.V).map (fun q => (seq 0 M.V).map (fun m =>
    zmin_list ((others M.V m).map (fun j =>
      nth m (nth q (EUt M) []) 0 - nth j (nth q (EUt M) []) 0))))

/-- `dO[m][tok][i] = min_{j ≠ m} (OV[tok][i][m] - OV[tok][i][j])`. -/
def tab_dO (M : Model) : List (List (List Int)) :=
  tab3 M.V M.V M.n (fun m tok i =>
    zmin_list ((others M.V m).map (fun j =>
      nth m (nth i (nth tok (OVt M) []) []) 0 - nth j (nth i (nth tok (OVt M) []) []) 0)))

/-- Bit `i` of `x`. -/
def testBit (x i : Nat) : Bool := (x / 2 ^ i) % 2 == 1

/-- The token set of a hint: `{tok < m : bit tok of K}`. -/
def Klist (m km : Nat) : List Nat := filt (fun tok => testBit km tok) (seq 0 m)

/-- The per-position token lists of a block (its inputs are their Cartesian product). -/
def block_lists (n : Nat) (b : block) : List (List Nat) :=
  (seq 0 (n - 1)).map (fun i => if testBit b.2.2.1 i then Klist b.2.1 b.2.2.2 else [b.2.1])
  ++ [[b.1]]

/-- `|K|^|N|`, computed as the product of the lengths of the per-position lists. -/
def block_count (n : Nat) (b : block) : Nat := prodLen (block_lists n b)

/-- The term `T_i` of the block check. -/
def block_term (M : Model) (P k : Nat) (dEt : List (List Int)) (dOt : List (List (List Int)))
    (b : block) (i : Nat) : Int :=
  if i = M.n - 1 then
    lbZ (nth b.2.1 (nth b.1 dEt []) 0 + get3 dOt b.2.1 b.1 i)
      (get3 (WLOt M P k) b.1 b.1 i) (get3 (WHIt M P k) b.1 b.1 i)
  else if testBit b.2.2.1 i then
    lbZ (nth b.2.1 (nth b.1 dEt []) 0
          + zmin_list ((Klist b.2.1 b.2.2.2).map (fun tok => get3 dOt b.2.1 tok i)))
      (zmin_list ((Klist b.2.1 b.2.2.2).map (fun tok => get3 (WLOt M P k) b.1 tok i)))
      (zmax_list ((Klist b.2.1 b.2.2.2).map (fun tok => get3 (WHIt M P k) b.1 tok i)))
  else
    lbZ (nth b.2.1 (nth b.1 dEt []) 0 + get3 dOt b.2.1 b.2.1 i)
      (get3 (WLOt M P k) b.1 b.2.1 i) (get3 (WHIt M P k) b.1 b.2.1 i)

/-- The block passes iff the sum of its terms is positive. -/
def block_pass (M : Model) (P k : Nat) (dEt : List (List Int)) (dOt : List (List (List Int)))
    (b : block) : Bool :=
  decide (0 < Zsum M.n (block_term M P k dEt dOt b))

/-- Well-formedness: `q ≤ m < V`, `N ⊆ {0..n-2}` (not all of it if `q < m`), `K ⊆ {0..m-1}`. -/
def block_ok (V n : Nat) (b : block) : Bool :=
  decide (b.1 ≤ b.2.1) && (decide (b.2.1 < V) && (decide (b.2.2.1 ≤ 2 ^ (n - 1) - 1)
    && (!(decide (b.1 < b.2.1) && decide (b.2.2.1 = 2 ^ (n - 1) - 1))
    && decide (b.2.2.2 < 2 ^ b.2.1))))

/-- Lexicographic order on the keys `(q, m, N)`. -/
def key_ltb (a b : block) : Bool :=
  decide (a.1 < b.1) || (decide (a.1 = b.1) && (decide (a.2.1 < b.2.1)
    || (decide (a.2.1 = b.2.1) && decide (a.2.2.1 < b.2.2.1))))

def sorted_keys : List block → Bool
  | b1 :: b2 :: r => key_ltb b1 b2 && sorted_keys (b2 :: r)
  | _ => true

def allL {α : Type} (p : α → Bool) : List α → Bool
  | [] => true
  | a :: l => p a && allL p l

def cubic_count (M : Model) (P k : Nat) (dEt : List (List Int)) (dOt : List (List (List Int))) :
    List block → Nat
  | [] => 0
  | b :: bs => (if block_pass M P k dEt dOt b = true then block_count M.n b else 0)
      + cubic_count M P k dEt dOt bs

/-- The cubic check: `N ≤ sum over passing blocks of |K|^|N|`. -/
def check_cubic (M : Model) (P k : Nat) (blocks : List block) (N : Nat) : Bool :=
  decide (0 < M.n) && (decide (2 ≤ M.V) && (scaleOk P M.h && (posOk M P k
    && (allL (block_ok M.V M.n) blocks && (sorted_keys blocks
    && decide (N ≤ cubic_count M P k (tab_dE M) (tab_dO M) blocks))))))

end Pybridge
