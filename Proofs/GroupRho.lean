/-
GroupRho: the re-check of the `rho-set` strategy of a group-operation MLP (Lean mirror of
coq/theories/GroupRho.v, docs/CHECKING.md sections 8.6 and 8.7).

`check_group_rho M N H` proves `GAccuracyAtLeast K M N` (GroupSpec.lean, the real model given by its
weights) from hint data `H` that is never trusted:
- an ideal model at the pair level, integer tables `Lq`, `Rq`, `KU` (`P x |G|`) with
  `I(x, y)_c = sum_p KU[p][c] max(Lq[p][x] + Rq[p][y], 0)` (`ideal`);
- for every model neuron `n` a pair `p_n < P` and a weight `lam_n >= 0` (`nrn`);
- generators `(g, pi, sigma)` whose permutations of the pairs make the ideal model invariant under
  `x -> g x, z -> g z` resp. `y -> y g, z -> z g` (checked row by row; no group axiom is used, only
  GroupSpec's `mul_in`), and words `wordL x`, `wordR y` with `actL (wordL x) x = 0`,
  `actR (wordR y) y = 0`, hence `I(x, y)_j = I(0, 0)_{actR (wordR y) (actL (wordL x) j)}`;
- a low-rank split `LX`, `LY`, `rmax` of the coefficient rows `C` (`coef_rows`) with
  `|C[i][c] - (LX LY)[i][c]| <= rmax_i`.
With `E1 = 2^d1`, `E3 = 2^d3`, `hid_n = max(A[x][n] + B[y][n], 0)` and the features
`phi_n = E1 hid_n - lam_n g_{p_n}`, `phi_{h+p} = g_p = max(Lq[p][x] + Rq[p][y], 0)`:
`E1 E3 L_c = I(x, y)_c + sum_i phi_i C[i][c] + E1 E3 b_c` (`decomp`) and
`sum_i phi_i C[i][c] <= ((phi LX) LY)_c + sum_i |phi_i| rmax_i`. A pair is counted iff every class
`j <> x*y` is below the exact `E1 E3 L_{x*y}`.

Differences from the Coq text (same integers): `all2`, `featsN`, `crow`, `rhs_of` recurse on the lists
instead of mapping over `combine`; `lowrank_ok` runs over the row indices; `memN` is Coq's
`existsb (Nat.eqb p)`; `zabs` is `Z.abs`; the reindexing along a permutation (`Zsum_perm`) is proven
with list sums (`lsum`) instead of Coq's `Permutation`.

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/
import Proofs.GroupBruteForce

namespace Pybridge.Group

open Pybridge
open ExpField (ofInt inv)

/-! ### Hint data (produced by the untrusted exporter, pybridge/export/grouprho_data.py) -/

structure RhoHints where
  d1 : Nat
  d3 : Nat
  Lq : List (List Int)
  Rq : List (List Int)
  KU : List (List Int)
  nrn : List (Nat × Int)
  gens : List (Nat × List Nat × List Nat)
  wordL : List (List Nat)
  wordR : List (List Nat)
  LX : List (List Int)
  LY : List (List Int)
  rmax : List Int

/-! ### The checker -/

def ent0 (T : List (List Int)) (i j : Nat) : Int := nth j (nth i T []) 0

/-- The ideal model (a function of the hints only). -/
def ideal (H : RhoHints) (x y c : Nat) : Int :=
  Zsum H.Lq.length (fun p => ent0 H.KU p c * max 0 (ent0 H.Lq p x + ent0 H.Rq p y))

def zleq : List Int → List Int → Bool
  | [], [] => true
  | a :: u, b :: v => decide (a = b) && zleq u v
  | _, _ => false

/-- Same lengths and `f` on every pair of entries (Coq: a `forallb` over `combine`). -/
def all2 {α β : Type} (f : α → β → Bool) : List α → List β → Bool
  | [], [] => true
  | a :: u, b :: v => f a b && all2 f u v
  | _, _ => false

/-- Left and right action of a word over the generators: `actL [g1, .., gm] t = gm*(..*(g1*t))`. -/
def actL (els : List (List Nat)) : List Nat → Nat → Nat
  | [], t => t
  | g :: w, t => actL els w (mul_in els g t)

def actR (els : List (List Nat)) : List Nat → Nat → Nat
  | [], t => t
  | g :: w, t => actR els w (mul_in els t g)

/-- `p` occurs in `l` (Coq: `existsb (Nat.eqb p) l`). -/
def memN (p : Nat) : List Nat → Bool
  | [] => false
  | q :: l => decide (p = q) || memN p l

def is_perm_of (P : Nat) (pi : List Nat) : Bool :=
  decide (pi.length = P) && allL (fun p => memN p pi) (seq 0 P)

def moved (r : List Int) (m : List Nat) : List Int := m.map (fun z => nth z r 0)

def zero_row (r : List Int) : Bool := allL (fun v => decide (0 = v)) r

/-- Row `p` of the pair tables under a permutation `pi` of the pairs and index maps `mK`, `mL`, `mR`
(the generator's row of the multiplication table, or `seq 0 G` for a side it does not move). -/
def row_ok (H : RhoHints) (mK mL mR pi : List Nat) (p : Nat) : Bool :=
  let q := nth p pi 0
  zleq (nth q H.KU []) (moved (nth p H.KU []) mK) &&
    (zero_row (nth p H.KU []) ||
      (zleq (nth q H.Lq []) (moved (nth p H.Lq []) mL) && zleq (nth q H.Rq []) (moved (nth p H.Rq []) mR)))

/-- Generator `g` with pair permutations `pi` (left: `x -> g x`, `z -> g z`) and `sg` (right:
`y -> y g`, `z -> z g`). -/
def gen_ok (els : List (List Nat)) (G : Nat) (H : RhoHints) (gpq : Nat × List Nat × List Nat) : Bool :=
  let gl := (seq 0 G).map (mul_in els gpq.1)
  let gr := (seq 0 G).map (fun t => mul_in els t gpq.1)
  allL (fun t => decide (t < G)) gl && allL (fun t => decide (t < G)) gr
    && is_perm_of H.Lq.length gpq.2.1 && is_perm_of H.Lq.length gpq.2.2
    && allL (row_ok H gl gl (seq 0 G) gpq.2.1) (seq 0 H.Lq.length)
    && allL (row_ok H gr (seq 0 G) gr gpq.2.2) (seq 0 H.Lq.length)

def is_gen (H : RhoHints) (g : Nat) : Bool := memN g (H.gens.map (fun gpq => gpq.1))

def words_ok (els : List (List Nat)) (G : Nat) (H : RhoHints) : Bool :=
  allL (fun x => allL (is_gen H) (nth x H.wordL []) && decide (actL els (nth x H.wordL []) x = 0)) (seq 0 G)
    && allL (fun y => allL (is_gen H) (nth y H.wordR []) && decide (actR els (nth y H.wordR []) y = 0))
      (seq 0 G)

def rho_shape_ok (M : GModel) (H : RhoHints) (G : Nat) : Bool :=
  shape_ok M G && rows_ok H.Lq H.Lq.length G && rows_ok H.Rq H.Lq.length G && rows_ok H.KU H.Lq.length G
    && decide (H.nrn.length = M.d_hidden)
    && allL (fun nl => decide (nl.1 < H.Lq.length) && decide (0 ≤ nl.2)) H.nrn
    && rows_ok H.LX (M.d_hidden + H.Lq.length) H.LY.length && rows_ok H.LY H.LY.length G
    && decide (H.rmax.length = M.d_hidden + H.Lq.length)

def pow2 (d : Nat) : Int := (2 : Int) ^ d

/-- `lam_n` where `p_n = p`, else `0`. -/
def sel (H : RhoHints) (p : Nat) : List Int := H.nrn.map (fun nl => if nl.1 = p then nl.2 else 0)

/-- `zdot u W[c] * E3 - K[c]` for every class (Coq: a map over `combine W K`). -/
def crow (u : List Int) (E3 : Int) : List (List Int) → List Int → List Int
  | w :: W, k :: K => (zdot u w * E3 - k) :: crow u E3 W K
  | _, _ => []

/-- Coefficient rows: `W[n] E3` for the neurons, then
`C'[p][c] = (sum_{n : p_n = p} lam_n W[n][c]) E3 - KU[p][c]` for the pairs. -/
def coef_rows (M : GModel) (H : RhoHints) (G : Nat) : List (List Int) :=
  M.WU.map (fun row => row.map (fun w => w * pow2 H.d3))
    ++ (seq 0 H.Lq.length).map (fun p => crow (sel H p) (pow2 H.d3) ((seq 0 G).map (zcol M.WU)) (nth p H.KU []))

def zabs (a : Int) : Int := max a (-a)

def lowrank_ok (M : GModel) (H : RhoHints) (G : Nat) : Bool :=
  let C := coef_rows M H G
  let YT := (seq 0 G).map (zcol H.LY)
  allL (fun i => all2 (fun cv ycol => decide (zabs (cv - zdot (nth i H.LX []) ycol) ≤ nth i H.rmax 0))
      (nth i C []) YT) (seq 0 (M.d_hidden + H.Lq.length))

/-- Tables computed once. -/
structure RhoPre where
  pA : List (List Int)
  pB : List (List Int)
  pAi : List (List Int)
  pBi : List (List Int)
  pLT : List (List Int)
  pRT : List (List Int)
  pXT : List (List Int)
  pYT : List (List Int)
  pWUT : List (List Int)
  pb2 : List Int
  pbb : List Int
  pE1 : Int
  pE13 : Int
  pLX : List (List Nat)
  pIeR : List (List Int)
  prm : List Int

def precompute (M : GModel) (H : RhoHints) (els : List (List Nat)) (G : Nat) : RhoPre :=
  let Ie := (seq 0 G).map (ideal H 0 0)
  { pA := zmatmul M.EL M.WL M.d_hidden, pB := zmatmul M.ER M.WR M.d_hidden,
    pAi := (seq 0 G).map (fun x => H.nrn.map (fun nl => nl.2 * ent0 H.Lq nl.1 x)),
    pBi := (seq 0 G).map (fun y => H.nrn.map (fun nl => nl.2 * ent0 H.Rq nl.1 y)),
    pLT := (seq 0 G).map (fun x => (seq 0 H.Lq.length).map (fun p => ent0 H.Lq p x)),
    pRT := (seq 0 G).map (fun y => (seq 0 H.Lq.length).map (fun p => ent0 H.Rq p y)),
    pXT := (seq 0 H.LY.length).map (zcol H.LX),
    pYT := (seq 0 G).map (zcol H.LY),
    pWUT := tabWUT M G, pb2 := tabb2 M G,
    pbb := (tabb2 M G).map (fun b => pow2 (H.d1 + H.d3) * b),
    pE1 := pow2 H.d1, pE13 := pow2 (H.d1 + H.d3),
    pLX := (seq 0 G).map (fun x => (seq 0 G).map (actL els (nth x H.wordL []))),
    pIeR := (seq 0 G).map (fun y => (seq 0 G).map (fun t => nth (actR els (nth y H.wordR []) t) Ie 0)),
    prm := H.rmax }

/-- `a E1 - b` entrywise (Coq: a map over `combine`). -/
def featsN (E1 : Int) : List Int → List Int → List Int
  | a :: u, b :: v => (a * E1 - b) :: featsN E1 u v
  | _, _ => []

def feats (E1 : Int) (hid gi gp : List Int) : List Int := featsN E1 hid gi ++ gp

def rhs_of : List Int → List Int → List Int → List Int
  | a :: u, b :: v, c :: w => (a + b + c) :: rhs_of u v w
  | _, _, _ => []

/-- One pair `(x, y)`: proven correct iff every other class is below the exact logit of `x*y`. -/
def ok_pair (pc : RhoPre) (els : List (List Nat)) (G : Nat) (xy : Nat × Nat) : Bool :=
  let hid := hidden (nth xy.1 pc.pA []) (nth xy.2 pc.pB [])
  let phi := feats pc.pE1 hid (hidden (nth xy.1 pc.pAi []) (nth xy.2 pc.pBi []))
    (hidden (nth xy.1 pc.pLT []) (nth xy.2 pc.pRT []))
  let v := pc.pYT.map (zdot (pc.pXT.map (zdot phi)))
  let rb := zdot (phi.map zabs) pc.prm
  let z := mul_in els xy.1 xy.2
  let lz := pc.pE13 * (zdot hid (nth z pc.pWUT []) + nth z pc.pb2 0)
  let ie := (nth xy.1 pc.pLX []).map (fun t => nth t (nth xy.2 pc.pIeR []) 0)
  decide (z < G) && beats (lz - rb) z 0 (rhs_of ie pc.pbb v)

/-- The rho-set check: `N ≤ #{(x, y) : counted}`. -/
def check_group_rho (M : GModel) (N : Nat) (H : RhoHints) : Bool :=
  let els := elements M.grp
  let G := els.length
  rho_shape_ok M H G && allL (gen_ok els G H) H.gens && words_ok els G H && lowrank_ok M H G
    && decide (N ≤ (filt (ok_pair (precompute M H els G) els G) (list_prod (seq 0 G) (seq 0 G))).length)

/-! ### Integer sums -/

theorem Zsum_add (f g : Nat → Int) : ∀ n : Nat, Zsum n (fun i => f i + g i) = Zsum n f + Zsum n g
  | 0 => by
    show (0 : Int) = 0 + 0
    omega
  | n + 1 => by
    show Zsum n (fun i => f i + g i) + (f n + g n) = (Zsum n f + f n) + (Zsum n g + g n)
    rw [Zsum_add f g n]
    omega

theorem Zsum_sub (f g : Nat → Int) : ∀ n : Nat, Zsum n (fun i => f i - g i) = Zsum n f - Zsum n g
  | 0 => by
    show (0 : Int) = 0 - 0
    omega
  | n + 1 => by
    show Zsum n (fun i => f i - g i) + (f n - g n) = (Zsum n f + f n) - (Zsum n g + g n)
    rw [Zsum_sub f g n]
    omega

theorem Zsum_mul_left (c : Int) (f : Nat → Int) : ∀ n : Nat, Zsum n (fun i => c * f i) = c * Zsum n f
  | 0 => by
    show (0 : Int) = c * 0
    rw [Int.mul_zero]
  | n + 1 => by
    show Zsum n (fun i => c * f i) + c * f n = c * (Zsum n f + f n)
    rw [Zsum_mul_left c f n, Int.mul_add]

theorem Zsum_zero : ∀ n : Nat, Zsum n (fun _ => (0 : Int)) = 0
  | 0 => rfl
  | n + 1 => by
    show Zsum n (fun _ => (0 : Int)) + 0 = 0
    rw [Zsum_zero n]
    omega

theorem Zsum_swap (f : Nat → Nat → Int) (m : Nat) : ∀ n : Nat,
    Zsum n (fun i => Zsum m (fun j => f i j)) = Zsum m (fun j => Zsum n (fun i => f i j))
  | 0 => by
    show (0 : Int) = Zsum m (fun _ => (0 : Int))
    rw [Zsum_zero m]
  | n + 1 => by
    show Zsum n (fun i => Zsum m (fun j => f i j)) + Zsum m (fun j => f n j)
      = Zsum m (fun j => Zsum n (fun i => f i j) + f n j)
    rw [Zsum_swap f m n, Zsum_add (fun j => Zsum n (fun i => f i j)) (fun j => f n j) m]

theorem Zsum_sel (a : Nat → Int) (p0 : Nat) : ∀ n : Nat, p0 < n →
    Zsum n (fun p => if p0 = p then a p else 0) = a p0
  | 0, h => absurd h (Nat.not_lt_zero p0)
  | n + 1, h => by
    show Zsum n (fun p => if p0 = p then a p else 0) + (if p0 = n then a n else 0) = a p0
    by_cases e : p0 = n
    · have hz : Zsum n (fun p => if p0 = p then a p else 0) = 0 := by
        rw [Zsum_ext (fun p => if p0 = p then a p else 0) (fun _ => 0) n
          (fun i hi => if_neg (by omega))]
        exact Zsum_zero n
      rw [hz, if_pos e, e]
      omega
    · rw [Zsum_sel a p0 n (by omega), if_neg e]
      omega

theorem Zsum_split (f : Nat → Int) (a : Nat) : ∀ b : Nat,
    Zsum (a + b) f = Zsum a f + Zsum b (fun i => f (a + i))
  | 0 => by
    show Zsum a f = Zsum a f + 0
    omega
  | b + 1 => by
    show Zsum (a + b) f + f (a + b) = Zsum a f + (Zsum b (fun i => f (a + i)) + f (a + b))
    rw [Zsum_split f a b]
    omega

theorem Zsum_le (f g : Nat → Int) : ∀ n : Nat, (∀ i, i < n → f i ≤ g i) → Zsum n f ≤ Zsum n g
  | 0, _ => Int.le_refl 0
  | n + 1, h => by
    show Zsum n f + f n ≤ Zsum n g + g n
    have h1 := Zsum_le f g n (fun i hi => h i (by omega))
    have h2 := h n (by omega)
    omega

/-! ### Reindexing a sum along a permutation -/

/-- The sum of `f` over the members of a list. -/
def lsum (f : Nat → Int) : List Nat → Int
  | [] => 0
  | a :: l => f a + lsum f l

theorem lsum_nth (f : Nat → Int) : ∀ (l : List Nat) (n : Nat), l.length = n →
    Zsum n (fun p => f (nth p l 0)) = lsum f l
  | [], n, h => by
    have e : n = 0 := Eq.trans h.symm rfl
    subst e
    rfl
  | a :: l, n, h => by
    have e : n = l.length + 1 := Eq.trans h.symm rfl
    subst e
    rw [Zsum_shift]
    show f a + Zsum l.length (fun p => f (nth p l 0)) = f a + lsum f l
    rw [lsum_nth f l l.length rfl]

theorem lsum_seq (f : Nat → Int) : ∀ (n s : Nat), lsum f (seq s n) = Zsum n (fun i => f (s + i))
  | 0, _ => rfl
  | n + 1, s => by
    rw [Zsum_shift]
    show f s + lsum f (seq (s + 1) n) = f (s + 0) + Zsum n (fun i => f (s + (i + 1)))
    rw [lsum_seq f n (s + 1), Nat.add_zero]
    have e : Zsum n (fun i => f (s + 1 + i)) = Zsum n (fun i => f (s + (i + 1))) :=
      Zsum_ext _ _ n (fun i _ => by rw [show s + 1 + i = s + (i + 1) by omega])
    rw [e]

theorem lsum_mid (f : Nat → Int) (a : Nat) : ∀ (l1 l2 : List Nat),
    lsum f (l1 ++ a :: l2) = f a + lsum f (l1 ++ l2)
  | [], _ => rfl
  | b :: l1, l2 => by
    show f b + lsum f (l1 ++ a :: l2) = f a + (f b + lsum f (l1 ++ l2))
    rw [lsum_mid f a l1 l2]
    omega

theorem mem_split (a : Nat) : ∀ (l : List Nat), a ∈ l → ∃ l1 l2, l = l1 ++ a :: l2
  | [], h => nomatch h
  | b :: l, h => by
    cases List.mem_cons.mp h with
    | inl e => exact ⟨[], l, congrArg (fun t => t :: l) e.symm⟩
    | inr h2 =>
      have ⟨l1, l2, e⟩ := mem_split a l h2
      exact ⟨b :: l1, l2, congrArg (fun t => b :: t) e⟩

theorem lsum_perm (f : Nat → Int) : ∀ (m l : List Nat), ND m → (∀ b, b ∈ m → b ∈ l) →
    l.length = m.length → lsum f l = lsum f m
  | [], l, _, _, hl => by
    cases l with
    | nil => rfl
    | cons b l => exact absurd hl (by intro e; cases e)
  | a :: m, l, hnd, hin, hl => by
    cases hnd with
    | cons ha hm =>
      have ⟨l1, l2, e⟩ := mem_split a l (hin a (List.mem_cons.mpr (Or.inl rfl)))
      subst e
      rw [lsum_mid f a l1 l2]
      have hin' : ∀ b, b ∈ m → b ∈ l1 ++ l2 := by
        intro b hb
        have hb' := hin b (List.mem_cons.mpr (Or.inr hb))
        cases List.mem_append.mp hb' with
        | inl h1 => exact List.mem_append.mpr (Or.inl h1)
        | inr h2 =>
          cases List.mem_cons.mp h2 with
          | inl e => exact absurd e.symm (ha b hb)
          | inr h3 => exact List.mem_append.mpr (Or.inr h3)
      have hl' : (l1 ++ l2).length = m.length := by
        have h1 : (l1 ++ a :: l2).length = m.length + 1 := hl
        rw [length_app] at h1
        rw [length_app]
        have h2 : (a :: l2).length = l2.length + 1 := rfl
        omega
      show f a + lsum f (l1 ++ l2) = f a + lsum f m
      rw [lsum_perm f m (l1 ++ l2) hm hin' hl']

theorem memN_spec (p : Nat) : ∀ (l : List Nat), memN p l = true → p ∈ l
  | [], h => by cases h
  | q :: l, h => by
    cases bor_elim h with
    | inl e =>
      rw [dec_true e]
      exact List.mem_cons.mpr (Or.inl rfl)
    | inr e => exact List.mem_cons.mpr (Or.inr (memN_spec p l e))

/-- Reindexing a sum along a permutation `pi` of `0..n-1`. -/
theorem Zsum_perm (n : Nat) (pi : List Nat) (f : Nat → Int) (h : is_perm_of n pi = true) :
    Zsum n (fun p => f (nth p pi 0)) = Zsum n f := by
  have ⟨hl, hall⟩ := band_elim h
  have hlen : pi.length = n := dec_true hl
  rw [lsum_nth f pi n hlen]
  have e : lsum f (seq 0 n) = Zsum n f := by
    rw [lsum_seq f n 0]
    exact Zsum_ext _ _ n (fun i _ => by rw [Nat.zero_add])
  rw [← e]
  apply lsum_perm f (seq 0 n) pi (nd_seq 0 n)
  · intro b hb
    exact memN_spec b pi (allL_spec _ _ hall b hb)
  · rw [length_seq]
    exact hlen

/-! ### Small list facts -/

theorem zleq_eq : ∀ (u v : List Int), zleq u v = true → u = v
  | [], [], _ => rfl
  | [], _ :: _, h => by cases h
  | _ :: _, [], h => by cases h
  | a :: u, b :: v, h => by
    have ⟨h1, h2⟩ := band_elim h
    rw [dec_true h1, zleq_eq u v h2]

theorem all2_spec {α β : Type} (f : α → β → Bool) : ∀ (l1 : List α) (l2 : List β), all2 f l1 l2 = true →
    l1.length = l2.length ∧ ∀ i (da : α) (db : β), i < l1.length → f (nth i l1 da) (nth i l2 db) = true
  | [], [], _ => ⟨rfl, fun i _ _ hi => absurd hi (Nat.not_lt_zero i)⟩
  | [], _ :: _, h => by cases h
  | _ :: _, [], h => by cases h
  | a :: u, b :: v, h => by
    have ⟨h1, h2⟩ := band_elim h
    have ⟨e, hr⟩ := all2_spec f u v h2
    refine ⟨by show u.length + 1 = v.length + 1; rw [e], fun i da db hi => ?_⟩
    cases i with
    | zero => exact h1
    | succ i => exact hr i da db (by have h' : i + 1 < u.length + 1 := hi; omega)

theorem nth_zero_row : ∀ (r : List Int) (i : Nat), zero_row r = true → nth i r 0 = 0
  | [], i, _ => nth_nil (0 : Int) i
  | a :: r, i, h => by
    have ⟨h1, h2⟩ := band_elim h
    cases i with
    | zero => exact (dec_true h1).symm
    | succ i => exact nth_zero_row r i h2

theorem nth_moved (r : List Int) (m : List Nat) (z : Nat) (hz : z < m.length) :
    nth z (moved r m) 0 = nth (nth z m 0) r 0 :=
  nth_map_lt (fun z => nth z r 0) 0 0 m z hz

theorem nth_featsN (E1 : Int) : ∀ (a b : List Int) (i : Nat), i < a.length → i < b.length →
    nth i (featsN E1 a b) 0 = nth i a 0 * E1 - nth i b 0
  | [], _, i, h, _ => absurd h (Nat.not_lt_zero i)
  | _ :: _, [], i, _, h => absurd h (Nat.not_lt_zero i)
  | _ :: _, _ :: _, 0, _, _ => rfl
  | _ :: u, _ :: v, i + 1, ha, hb =>
    nth_featsN E1 u v i (by have h : i + 1 < u.length + 1 := ha; omega)
      (by have h : i + 1 < v.length + 1 := hb; omega)

theorem length_featsN (E1 : Int) : ∀ (a b : List Int) (n : Nat), a.length = n → b.length = n →
    (featsN E1 a b).length = n
  | [], _, n, ha, _ => ha
  | _ :: _, [], n, _, hb => hb
  | _ :: u, _ :: v, n, ha, hb => by
    have h1 : u.length + 1 = n := ha
    have h2 : v.length + 1 = n := hb
    show (featsN E1 u v).length + 1 = n
    rw [length_featsN E1 u v (n - 1) (by omega) (by omega)]
    omega

theorem nth_crow (u : List Int) (E3 : Int) : ∀ (W : List (List Int)) (K : List Int) (c : Nat),
    c < W.length → c < K.length → nth c (crow u E3 W K) 0 = zdot u (nth c W []) * E3 - nth c K 0
  | [], _, c, h, _ => absurd h (Nat.not_lt_zero c)
  | _ :: _, [], c, _, h => absurd h (Nat.not_lt_zero c)
  | _ :: _, _ :: _, 0, _, _ => rfl
  | _ :: W, _ :: K, c + 1, hW, hK =>
    nth_crow u E3 W K c (by have h : c + 1 < W.length + 1 := hW; omega)
      (by have h : c + 1 < K.length + 1 := hK; omega)

theorem nth_rhs : ∀ (a b d : List Int) (i : Nat), i < a.length → i < b.length → i < d.length →
    nth i (rhs_of a b d) 0 = nth i a 0 + nth i b 0 + nth i d 0
  | [], _, _, i, h, _, _ => absurd h (Nat.not_lt_zero i)
  | _ :: _, [], _, i, _, h, _ => absurd h (Nat.not_lt_zero i)
  | _ :: _, _ :: _, [], i, _, _, h => absurd h (Nat.not_lt_zero i)
  | _ :: _, _ :: _, _ :: _, 0, _, _, _ => rfl
  | _ :: a, _ :: b, _ :: d, i + 1, ha, hb, hd =>
    nth_rhs a b d i (by have h : i + 1 < a.length + 1 := ha; omega)
      (by have h : i + 1 < b.length + 1 := hb; omega) (by have h : i + 1 < d.length + 1 := hd; omega)

theorem length_rhs : ∀ (a b d : List Int) (n : Nat), a.length = n → b.length = n → d.length = n →
    (rhs_of a b d).length = n
  | [], _, _, n, ha, _, _ => ha
  | _ :: _, [], _, n, _, hb, _ => hb
  | _ :: _, _ :: _, [], n, _, _, hd => hd
  | _ :: a, _ :: b, _ :: d, n, ha, hb, hd => by
    have h1 : a.length + 1 = n := ha
    have h2 : b.length + 1 = n := hb
    have h3 : d.length + 1 = n := hd
    show (rhs_of a b d).length + 1 = n
    rw [length_rhs a b d (n - 1) (by omega) (by omega) (by omega)]
    omega

theorem relu_lam (lam t : Int) (h : 0 ≤ lam) : max 0 (lam * t) = lam * max 0 t := by
  by_cases ht : t ≤ 0
  · have h1 : lam * t ≤ 0 := Int.mul_nonpos_of_nonneg_of_nonpos h ht
    have e1 : max 0 (lam * t) = 0 := by omega
    have e2 : max 0 t = 0 := by omega
    rw [e1, e2, Int.mul_zero]
  · have h1 : 0 ≤ lam * t := Int.mul_nonneg h (by omega)
    have e1 : max 0 (lam * t) = lam * t := by omega
    have e2 : max 0 t = t := by omega
    rw [e1, e2]

theorem lowrank_bound (phi C XY rm : Int) (h : zabs (C - XY) ≤ rm) :
    phi * C ≤ phi * XY + zabs phi * rm := by
  have e : phi * C = phi * XY + phi * (C - XY) := by
    rw [Int.mul_sub]
    omega
  have hb : phi * (C - XY) ≤ zabs phi * rm := by
    by_cases hp : 0 ≤ phi
    · have h1 : C - XY ≤ rm := by
        unfold zabs at h
        omega
      have e2 : zabs phi = phi := by
        unfold zabs
        omega
      rw [e2]
      exact Int.mul_le_mul_of_nonneg_left h1 hp
    · have h1 : -rm ≤ C - XY := by
        unfold zabs at h
        omega
      have e2 : zabs phi = -phi := by
        unfold zabs
        omega
      rw [e2, Int.neg_mul, ← Int.mul_neg]
      exact Int.mul_le_mul_of_nonpos_left (by omega) h1
  rw [e]
  omega

/-! ### The exact decomposition of the scaled logit (CHECKING.md 8.7) -/

/-! Four reorderings of integer products, by explicit rewrites (each `rw` names its instance, so no
step depends on `simp`'s ordering of products; docs/LEAN.md, "suspected simp lines"). -/

/-- `a (b c) = b (c a)`. -/
theorem zmul_rot3 (a b c : Int) : a * (b * c) = b * (c * a) := by
  rw [Int.mul_comm a (b * c), Int.mul_assoc b c a]

/-- `a b c = b (a c)`. -/
theorem zmul_swap3 (a b c : Int) : a * b * c = b * (a * c) := by
  rw [Int.mul_comm a b, Int.mul_assoc b a c]

/-- `g (S E - K) = E (g S) - K g`. -/
theorem zmul_sub_rot (g S E K : Int) : g * (S * E - K) = E * (g * S) - K * g := by
  rw [Int.mul_sub g (S * E) K, Int.mul_comm K g, ← Int.mul_assoc g S E, Int.mul_comm (g * S) E]

/-- `(x E1 - y) (w E3) = E1 E3 (x w) - E3 (y w)`. -/
theorem zmul_decomp_term (x E1 y w E3 : Int) :
    (x * E1 - y) * (w * E3) = E1 * E3 * (x * w) - E3 * (y * w) := by
  have h1 : x * E1 * (w * E3) = E1 * E3 * (x * w) := by
    rw [Int.mul_comm x E1, Int.mul_assoc E1 x (w * E3), ← Int.mul_assoc x w E3,
      Int.mul_comm (x * w) E3, ← Int.mul_assoc E1 E3 (x * w)]
  have h2 : y * (w * E3) = E3 * (y * w) := by
    rw [← Int.mul_assoc y w E3, Int.mul_comm (y * w) E3]
  rw [Int.sub_mul (x * E1) y (w * E3), h1, h2]

theorem decomp (h P : Nat) (hidf gf lam : Nat → Int) (pn : Nat → Nat) (W KUf : Nat → Nat → Int)
    (E1 E3 : Int) (c : Nat) (hpn : ∀ n, n < h → pn n < P) :
    E1 * E3 * Zsum h (fun n => hidf n * W n c)
      = Zsum P (fun p => KUf p c * gf p)
        + Zsum h (fun n => (hidf n * E1 - lam n * gf (pn n)) * (W n c * E3))
        + Zsum P (fun p => gf p * (Zsum h (fun n => (if pn n = p then lam n else 0) * W n c) * E3 - KUf p c)) := by
  -- the neuron sum: E1 E3 sum hid W - E3 sum lam g W
  have e2 : Zsum h (fun n => (hidf n * E1 - lam n * gf (pn n)) * (W n c * E3))
      = E1 * E3 * Zsum h (fun n => hidf n * W n c) - E3 * Zsum h (fun n => lam n * gf (pn n) * W n c) := by
    rw [← Zsum_mul_left (E1 * E3), ← Zsum_mul_left E3, ← Zsum_sub]
    apply Zsum_ext
    intro n _
    exact zmul_decomp_term (hidf n) E1 (lam n * gf (pn n)) (W n c) E3
  -- one pair row, regrouped by neuron
  have inner : ∀ p, gf p * (Zsum h (fun n => (if pn n = p then lam n else 0) * W n c) * E3 - KUf p c)
      = E3 * Zsum h (fun n => if pn n = p then lam n * gf p * W n c else 0) - KUf p c * gf p := by
    intro p
    have e : Zsum h (fun n => if pn n = p then lam n * gf p * W n c else 0)
        = gf p * Zsum h (fun n => (if pn n = p then lam n else 0) * W n c) := by
      rw [← Zsum_mul_left (gf p)]
      apply Zsum_ext
      intro n _
      by_cases hp : pn n = p
      · rw [if_pos hp, if_pos hp]
        exact zmul_swap3 (lam n) (gf p) (W n c)
      · rw [if_neg hp, if_neg hp, Int.zero_mul, Int.mul_zero]
    rw [e]
    exact zmul_sub_rot (gf p) (Zsum h (fun n => (if pn n = p then lam n else 0) * W n c)) E3 (KUf p c)
  -- the pair sum: E3 sum lam g W - sum KU g
  have e3 : Zsum P (fun p => gf p * (Zsum h (fun n => (if pn n = p then lam n else 0) * W n c) * E3 - KUf p c))
      = E3 * Zsum h (fun n => lam n * gf (pn n) * W n c) - Zsum P (fun p => KUf p c * gf p) := by
    have e4 : Zsum P (fun p => gf p * (Zsum h (fun n => (if pn n = p then lam n else 0) * W n c) * E3 - KUf p c))
        = Zsum P (fun p => E3 * Zsum h (fun n => if pn n = p then lam n * gf p * W n c else 0) - KUf p c * gf p) :=
      Zsum_ext _ _ P (fun p _ => inner p)
    have e5 : Zsum P (fun p => E3 * Zsum h (fun n => if pn n = p then lam n * gf p * W n c else 0))
        = E3 * Zsum h (fun n => lam n * gf (pn n) * W n c) := by
      rw [Zsum_mul_left E3 (fun p => Zsum h (fun n => if pn n = p then lam n * gf p * W n c else 0)) P]
      have esw : Zsum P (fun p => Zsum h (fun n => if pn n = p then lam n * gf p * W n c else 0))
          = Zsum h (fun n => Zsum P (fun p => if pn n = p then lam n * gf p * W n c else 0)) :=
        Zsum_swap (fun p n => if pn n = p then lam n * gf p * W n c else 0) h P
      have esel : Zsum h (fun n => Zsum P (fun p => if pn n = p then lam n * gf p * W n c else 0))
          = Zsum h (fun n => lam n * gf (pn n) * W n c) :=
        Zsum_ext _ _ h (fun n hn => Zsum_sel (fun p => lam n * gf p * W n c) (pn n) P (hpn n hn))
      rw [esw, esel]
    rw [e4, Zsum_sub (fun p => E3 * Zsum h (fun n => if pn n = p then lam n * gf p * W n c else 0))
      (fun p => KUf p c * gf p) P, e5]
  rw [e2, e3]
  omega

/-! ### Generators and words -/

theorem nth_seq (s : Nat) : ∀ (c i : Nat), i < c → nth i (seq s c) 0 = s + i
  | 0, i, h => absurd h (Nat.not_lt_zero i)
  | _ + 1, 0, _ => by
    show s = s + 0
    rw [Nat.add_zero]
  | c + 1, i + 1, h => by
    show nth i (seq (s + 1) c) 0 = s + (i + 1)
    rw [nth_seq (s + 1) c i (by omega)]
    omega

theorem nth_seq0 (G i : Nat) (h : i < G) : nth i (seq 0 G) 0 = i := by
  rw [nth_seq 0 G i h, Nat.zero_add]


theorem gen_closed (els : List (List Nat)) (G : Nat) (H : RhoHints)
    (hgen : allL (gen_ok els G H) H.gens = true) (gpq : Nat × List Nat × List Nat)
    (hin : gpq ∈ H.gens) (t : Nat) (ht : t < G) :
    mul_in els gpq.1 t < G ∧ mul_in els t gpq.1 < G := by
  have hg := allL_spec _ _ hgen gpq hin
  have ⟨h5, _⟩ := band_elim hg
  have ⟨h4, _⟩ := band_elim h5
  have ⟨h3, _⟩ := band_elim h4
  have ⟨h2, _⟩ := band_elim h3
  have ⟨hl, hr⟩ := band_elim h2
  have hts : t ∈ seq 0 G := mem_seq_of 0 G t (Nat.zero_le t) (by omega)
  exact ⟨dec_true (allL_spec _ _ hl _ (mem_map_of_mem' (mul_in els gpq.1) (seq 0 G) t hts)),
    dec_true (allL_spec _ _ hr _ (mem_map_of_mem' (fun t => mul_in els t gpq.1) (seq 0 G) t hts))⟩

/-- Invariance of the ideal model under one checked row permutation. -/
theorem ideal_moved (G : Nat) (H : RhoHints) (mK mL mR pi : List Nat) (x y z : Nat)
    (hK : mK.length = G) (hL : mL.length = G) (hR : mR.length = G) (hx : x < G) (hy : y < G) (hz : z < G)
    (hpi : is_perm_of H.Lq.length pi = true) (hrows : allL (row_ok H mK mL mR pi) (seq 0 H.Lq.length) = true) :
    ideal H (nth x mL 0) (nth y mR 0) (nth z mK 0) = ideal H x y z := by
  unfold ideal
  refine Eq.trans (Zsum_ext _ (fun p => ent0 H.KU (nth p pi 0) z
      * max 0 (ent0 H.Lq (nth p pi 0) x + ent0 H.Rq (nth p pi 0) y)) H.Lq.length ?_)
    (Zsum_perm H.Lq.length pi (fun p => ent0 H.KU p z * max 0 (ent0 H.Lq p x + ent0 H.Rq p y)) hpi)
  intro p hp
  have hc := allL_spec _ _ hrows p (mem_seq_of 0 H.Lq.length p (Nat.zero_le p) (by omega))
  have ⟨hKU, hLR⟩ := band_elim hc
  have eKz : ent0 H.KU (nth p pi 0) z = ent0 H.KU p (nth z mK 0) := by
    show nth z (nth (nth p pi 0) H.KU []) 0 = nth (nth z mK 0) (nth p H.KU []) 0
    rw [zleq_eq _ _ hKU, nth_moved (nth p H.KU []) mK z (by rw [hK]; exact hz)]
  show ent0 H.KU p (nth z mK 0) * max 0 (ent0 H.Lq p (nth x mL 0) + ent0 H.Rq p (nth y mR 0))
    = ent0 H.KU (nth p pi 0) z * max 0 (ent0 H.Lq (nth p pi 0) x + ent0 H.Rq (nth p pi 0) y)
  rw [eKz]
  cases bor_elim hLR with
  | inl h0 =>
    have e0 : ent0 H.KU p (nth z mK 0) = 0 := nth_zero_row _ _ h0
    rw [e0, Int.zero_mul, Int.zero_mul]
  | inr h1 =>
    have ⟨hLq, hRq⟩ := band_elim h1
    have eL : ent0 H.Lq (nth p pi 0) x = ent0 H.Lq p (nth x mL 0) := by
      show nth x (nth (nth p pi 0) H.Lq []) 0 = nth (nth x mL 0) (nth p H.Lq []) 0
      rw [zleq_eq _ _ hLq, nth_moved (nth p H.Lq []) mL x (by rw [hL]; exact hx)]
    have eR : ent0 H.Rq (nth p pi 0) y = ent0 H.Rq p (nth y mR 0) := by
      show nth y (nth (nth p pi 0) H.Rq []) 0 = nth (nth y mR 0) (nth p H.Rq []) 0
      rw [zleq_eq _ _ hRq, nth_moved (nth p H.Rq []) mR y (by rw [hR]; exact hy)]
    rw [eL, eR]

theorem gen_left (els : List (List Nat)) (G : Nat) (H : RhoHints)
    (hgen : allL (gen_ok els G H) H.gens = true) (gpq : Nat × List Nat × List Nat)
    (hin : gpq ∈ H.gens) (x y z : Nat) (hx : x < G) (hy : y < G) (hz : z < G) :
    ideal H (mul_in els gpq.1 x) y (mul_in els gpq.1 z) = ideal H x y z := by
  have hg := allL_spec _ _ hgen gpq hin
  have ⟨h5, _⟩ := band_elim hg
  have ⟨h4, hL⟩ := band_elim h5
  have ⟨h3, _⟩ := band_elim h4
  have ⟨_, hpi⟩ := band_elim h3
  have hgl : ((seq 0 G).map (mul_in els gpq.1)).length = G := by rw [length_map', length_seq]
  have e := ideal_moved G H ((seq 0 G).map (mul_in els gpq.1)) ((seq 0 G).map (mul_in els gpq.1)) (seq 0 G)
    gpq.2.1 x y z hgl hgl (length_seq 0 G) hx hy hz hpi hL
  rw [nth_map_seq (mul_in els gpq.1) G x 0 hx, nth_map_seq (mul_in els gpq.1) G z 0 hz, nth_seq0 G y hy] at e
  exact e

theorem gen_right (els : List (List Nat)) (G : Nat) (H : RhoHints)
    (hgen : allL (gen_ok els G H) H.gens = true) (gpq : Nat × List Nat × List Nat)
    (hin : gpq ∈ H.gens) (x y z : Nat) (hx : x < G) (hy : y < G) (hz : z < G) :
    ideal H x (mul_in els y gpq.1) (mul_in els z gpq.1) = ideal H x y z := by
  have hg := allL_spec _ _ hgen gpq hin
  have ⟨h5, hR⟩ := band_elim hg
  have ⟨h4, _⟩ := band_elim h5
  have ⟨_, hsg⟩ := band_elim h4
  have hgr : ((seq 0 G).map (fun t => mul_in els t gpq.1)).length = G := by rw [length_map', length_seq]
  have e := ideal_moved G H ((seq 0 G).map (fun t => mul_in els t gpq.1)) (seq 0 G)
    ((seq 0 G).map (fun t => mul_in els t gpq.1)) gpq.2.2 x y z hgr (length_seq 0 G) hgr hx hy hz hsg hR
  rw [nth_map_seq (fun t => mul_in els t gpq.1) G y 0 hy, nth_map_seq (fun t => mul_in els t gpq.1) G z 0 hz,
    nth_seq0 G x hx] at e
  exact e

theorem is_gen_in (H : RhoHints) (g : Nat) (h : is_gen H g = true) : ∃ gpq, gpq ∈ H.gens ∧ g = gpq.1 :=
  mem_map' (fun gpq => gpq.1) H.gens g (memN_spec g _ h)

theorem word_left (els : List (List Nat)) (G : Nat) (H : RhoHints)
    (hgen : allL (gen_ok els G H) H.gens = true) : ∀ (w : List Nat),
    allL (is_gen H) w = true → ∀ x y z, x < G → y < G → z < G →
      actL els w z < G ∧ ideal H (actL els w x) y (actL els w z) = ideal H x y z
  | [], _, _, _, _, _, _, hz => ⟨hz, rfl⟩
  | g :: w, hw, x, y, z, hx, hy, hz => by
    have ⟨hg, hw'⟩ := band_elim hw
    have ⟨gpq, hin, e⟩ := is_gen_in H g hg
    have ⟨hx', _⟩ := gen_closed els G H hgen gpq hin x hx
    have ⟨hz', _⟩ := gen_closed els G H hgen gpq hin z hz
    rw [← e] at hx' hz'
    have ⟨h1, h2⟩ := word_left els G H hgen w hw' (mul_in els g x) y (mul_in els g z) hx' hy hz'
    refine ⟨h1, ?_⟩
    show ideal H (actL els w (mul_in els g x)) y (actL els w (mul_in els g z)) = ideal H x y z
    rw [h2, e]
    exact gen_left els G H hgen gpq hin x y z hx hy hz

theorem word_right (els : List (List Nat)) (G : Nat) (H : RhoHints)
    (hgen : allL (gen_ok els G H) H.gens = true) : ∀ (w : List Nat),
    allL (is_gen H) w = true → ∀ x y z, x < G → y < G → z < G →
      actR els w z < G ∧ ideal H x (actR els w y) (actR els w z) = ideal H x y z
  | [], _, _, _, _, _, _, hz => ⟨hz, rfl⟩
  | g :: w, hw, x, y, z, hx, hy, hz => by
    have ⟨hg, hw'⟩ := band_elim hw
    have ⟨gpq, hin, e⟩ := is_gen_in H g hg
    have ⟨_, hy'⟩ := gen_closed els G H hgen gpq hin y hy
    have ⟨_, hz'⟩ := gen_closed els G H hgen gpq hin z hz
    rw [← e] at hy' hz'
    have ⟨h1, h2⟩ := word_right els G H hgen w hw' x (mul_in els y g) (mul_in els z g) hx hy' hz'
    refine ⟨h1, ?_⟩
    show ideal H x (actR els w (mul_in els y g)) (actR els w (mul_in els z g)) = ideal H x y z
    rw [h2, e]
    exact gen_right els G H hgen gpq hin x y z hx hy hz

/-- The ideal model at `(x, y)` is the ideal model at `(0, 0)`, classes moved by the words. -/
theorem ideal_class (els : List (List Nat)) (G : Nat) (H : RhoHints)
    (hgen : allL (gen_ok els G H) H.gens = true) (hw : words_ok els G H = true)
    (x y j : Nat) (hx : x < G) (hy : y < G) (hj : j < G) :
    actL els (nth x H.wordL []) j < G
      ∧ actR els (nth y H.wordR []) (actL els (nth x H.wordL []) j) < G
      ∧ ideal H x y j = ideal H 0 0 (actR els (nth y H.wordR []) (actL els (nth x H.wordL []) j)) := by
  have ⟨hL, hR⟩ := band_elim hw
  have ⟨hlx1, hlx2⟩ := band_elim (allL_spec _ _ hL x (mem_seq_of 0 G x (Nat.zero_le x) (by omega)))
  have ⟨hry1, hry2⟩ := band_elim (allL_spec _ _ hR y (mem_seq_of 0 G y (Nat.zero_le y) (by omega)))
  have ex : actL els (nth x H.wordL []) x = 0 := dec_true hlx2
  have ey : actR els (nth y H.wordR []) y = 0 := dec_true hry2
  have ⟨ht, e1⟩ := word_left els G H hgen _ hlx1 x y j hx hy hj
  rw [ex] at e1
  have ⟨hu, e2⟩ := word_right els G H hgen _ hry1 0 y (actL els (nth x H.wordL []) j) (by omega) hy ht
  rw [ey] at e2
  exact ⟨ht, hu, by rw [← e1, ← e2]⟩

/-! ### One pair and one class -/

def pn (H : RhoHints) (n : Nat) : Nat := (nth n H.nrn (0, 0)).1
def lam (H : RhoHints) (n : Nat) : Int := (nth n H.nrn (0, 0)).2

def pcOf (M : GModel) (H : RhoHints) : RhoPre := precompute M H (elements M.grp) (elements M.grp).length
def hidOf (pc : RhoPre) (x y : Nat) : List Int := hidden (nth x pc.pA []) (nth y pc.pB [])
def giOf (pc : RhoPre) (x y : Nat) : List Int := hidden (nth x pc.pAi []) (nth y pc.pBi [])
def gpOf (pc : RhoPre) (x y : Nat) : List Int := hidden (nth x pc.pLT []) (nth y pc.pRT [])
def phiOf (pc : RhoPre) (x y : Nat) : List Int := feats pc.pE1 (hidOf pc x y) (giOf pc x y) (gpOf pc x y)
def vOf (pc : RhoPre) (x y : Nat) : List Int := pc.pYT.map (zdot (pc.pXT.map (zdot (phiOf pc x y))))
def rbOf (pc : RhoPre) (x y : Nat) : Int := zdot ((phiOf pc x y).map zabs) pc.prm
def ieOf (pc : RhoPre) (x y : Nat) : List Int := (nth x pc.pLX []).map (fun t => nth t (nth y pc.pIeR []) 0)
def lzOf (pc : RhoPre) (x y z : Nat) : Int := pc.pE13 * (zdot (hidOf pc x y) (nth z pc.pWUT []) + nth z pc.pb2 0)

theorem ok_pair_eq (pc : RhoPre) (els : List (List Nat)) (G x y : Nat) :
    ok_pair pc els G (x, y) = (decide (mul_in els x y < G)
      && beats (lzOf pc x y (mul_in els x y) - rbOf pc x y) (mul_in els x y) 0 (rhs_of (ieOf pc x y) pc.pbb (vOf pc x y))) :=
  rfl

section Sound
variable (M : GModel) (H : RhoHints)

theorem shape_parts_rho (hsh : rho_shape_ok M H (elements M.grp).length = true) :
    shape_ok M (elements M.grp).length = true ∧ rows_ok H.Lq H.Lq.length (elements M.grp).length = true
      ∧ rows_ok H.Rq H.Lq.length (elements M.grp).length = true ∧ rows_ok H.KU H.Lq.length (elements M.grp).length = true
      ∧ H.nrn.length = M.d_hidden
      ∧ (∀ n, n < M.d_hidden → pn H n < H.Lq.length ∧ 0 ≤ lam H n)
      ∧ rows_ok H.LX (M.d_hidden + H.Lq.length) H.LY.length = true
      ∧ rows_ok H.LY H.LY.length (elements M.grp).length = true
      ∧ H.rmax.length = M.d_hidden + H.Lq.length := by
  have ⟨h8, h9⟩ := band_elim hsh
  have ⟨h7, hY⟩ := band_elim h8
  have ⟨h6, hX⟩ := band_elim h7
  have ⟨h5, hn⟩ := band_elim h6
  have ⟨h4, hl⟩ := band_elim h5
  have ⟨h3, hK⟩ := band_elim h4
  have ⟨h2, hR⟩ := band_elim h3
  have ⟨hs, hL⟩ := band_elim h2
  have hlen : H.nrn.length = M.d_hidden := dec_true hl
  refine ⟨hs, hL, hR, hK, hlen, fun n hnh => ?_, hX, hY, dec_true h9⟩
  have ⟨a, b⟩ := band_elim (allL_spec _ _ hn (nth n H.nrn (0, 0)) (nth_mem (0, 0) H.nrn n (by omega)))
  exact ⟨dec_true a, dec_true b⟩

theorem pcOf_E13 : (pcOf M H).pE13 = pow2 H.d1 * pow2 H.d3 := by
  show (2 : Int) ^ (H.d1 + H.d3) = 2 ^ H.d1 * 2 ^ H.d3
  exact pow2_add H.d1 H.d3

theorem coef_neuron (hsh : rho_shape_ok M H (elements M.grp).length = true) (n c : Nat)
    (hn : n < M.d_hidden) (hc : c < (elements M.grp).length) :
    ent0 (coef_rows M H (elements M.grp).length) n c = ent0 M.WU n c * pow2 H.d3 := by
  have ⟨hs, _⟩ := shape_parts_rho M H hsh
  have ⟨_, h5⟩ := band_elim hs
  have ⟨hUl, hUr⟩ := rows_ok_spec M.WU M.d_hidden (elements M.grp).length h5
  have hl1 : n < (M.WU.map (fun row => row.map (fun w => w * pow2 H.d3))).length := by
    rw [length_map']
    omega
  show nth c (nth n (M.WU.map (fun row => row.map (fun w => w * pow2 H.d3)) ++ _) []) 0 = _
  rw [nth_app_left [] _ _ n hl1, nth_map_lt (fun row => row.map (fun w => w * pow2 H.d3)) [] [] M.WU n (by omega),
    nth_map_lt (fun w => w * pow2 H.d3) 0 0 (nth n M.WU []) c (by rw [hUr n hn]; exact hc)]
  try rfl

theorem coef_pair (hsh : rho_shape_ok M H (elements M.grp).length = true) (p c : Nat)
    (hp : p < H.Lq.length) (hc : c < (elements M.grp).length) :
    ent0 (coef_rows M H (elements M.grp).length) (M.d_hidden + p) c
      = Zsum M.d_hidden (fun n => (if pn H n = p then lam H n else 0) * ent0 M.WU n c) * pow2 H.d3
        - ent0 H.KU p c := by
  have ⟨hs, _, _, hK, hnrn, _⟩ := shape_parts_rho M H hsh
  have ⟨_, h5⟩ := band_elim hs
  have ⟨hUl, _⟩ := rows_ok_spec M.WU M.d_hidden (elements M.grp).length h5
  have ⟨_, hKr⟩ := rows_ok_spec H.KU H.Lq.length (elements M.grp).length hK
  have hl1 : (M.WU.map (fun row => row.map (fun w => w * pow2 H.d3))).length = M.d_hidden := by
    rw [length_map', hUl]
  have hWT : ((seq 0 (elements M.grp).length).map (zcol M.WU)).length = (elements M.grp).length := by
    rw [length_map', length_seq]
  show nth c (nth (M.d_hidden + p) (M.WU.map (fun row => row.map (fun w => w * pow2 H.d3)) ++ _) []) 0 = _
  rw [← hl1, nth_app_right [] _ _ p, hl1,
    nth_map_seq (fun p => crow (sel H p) (pow2 H.d3) ((seq 0 (elements M.grp).length).map (zcol M.WU)) (nth p H.KU []))
      H.Lq.length p [] hp,
    nth_crow (sel H p) (pow2 H.d3) ((seq 0 (elements M.grp).length).map (zcol M.WU)) (nth p H.KU []) c
      (by rw [hWT]; exact hc) (by rw [hKr p hp]; exact hc),
    nth_map_seq (zcol M.WU) (elements M.grp).length c [] hc,
    zdot_Zsum (sel H p) (zcol M.WU c) M.d_hidden (by unfold sel; rw [length_map', hnrn]) (by rw [length_zcol, hUl])]
  have e : Zsum M.d_hidden (fun i => nth i (sel H p) 0 * nth i (zcol M.WU c) 0)
      = Zsum M.d_hidden (fun n => (if pn H n = p then lam H n else 0) * ent0 M.WU n c) := by
    apply Zsum_ext
    intro n hn
    rw [nth_zcol]
    show nth n (H.nrn.map (fun nl => if nl.1 = p then nl.2 else 0)) 0 * _ = _
    rw [nth_map_lt (fun nl => if nl.1 = p then nl.2 else 0) 0 (0, 0) H.nrn n (by omega)]
    try rfl
  -- `ent0` is a plain `def`: restate its unfolding first, so that the goal after `rw [e]` is a
  -- syntactic equality (docs/LEAN.md, finding 2).
  show _ = _ - nth c (nth p H.KU []) 0
  rw [e]

theorem lowrank_entry (hlr : lowrank_ok M H (elements M.grp).length = true) (i c : Nat)
    (hi : i < M.d_hidden + H.Lq.length) (hc : c < (elements M.grp).length) :
    zabs (ent0 (coef_rows M H (elements M.grp).length) i c - zdot (nth i H.LX []) (zcol H.LY c)) ≤ nth i H.rmax 0 := by
  have hrow := allL_spec _ _ hlr i (mem_seq_of 0 _ i (Nat.zero_le i) (by omega))
  have ⟨hl, hent⟩ := all2_spec _ _ _ hrow
  have hl' : (nth i (coef_rows M H (elements M.grp).length) []).length = (elements M.grp).length := by
    rw [hl, length_map', length_seq]
  have h := hent c 0 [] (by rw [hl']; exact hc)
  rw [nth_map_seq (zcol H.LY) (elements M.grp).length c [] hc] at h
  exact dec_true h

/-- Everything about one pair `(x, y)` and one class `j` (Coq: `int_bound`). -/
theorem int_bound (hsh : rho_shape_ok M H (elements M.grp).length = true)
    (hgen : allL (gen_ok (elements M.grp) (elements M.grp).length H) H.gens = true)
    (hw : words_ok (elements M.grp) (elements M.grp).length H = true)
    (hlr : lowrank_ok M H (elements M.grp).length = true)
    (x y j : Nat) (hx : x < (elements M.grp).length) (hy : y < (elements M.grp).length)
    (hj : j < (elements M.grp).length) :
    (pcOf M H).pE13 * (zdot (hidOf (pcOf M H) x y) (nth j (pcOf M H).pWUT []) + nth j (pcOf M H).pb2 0)
        ≤ nth j (rhs_of (ieOf (pcOf M H) x y) (pcOf M H).pbb (vOf (pcOf M H) x y)) 0 + rbOf (pcOf M H) x y
      ∧ (rhs_of (ieOf (pcOf M H) x y) (pcOf M H).pbb (vOf (pcOf M H) x y)).length = (elements M.grp).length := by
  have ⟨hs, hL, _, _, hnrn, hpn, hX, hY, hrm⟩ := shape_parts_rho M H hsh
  have ⟨h1234, h5⟩ := band_elim hs
  have ⟨h123, _⟩ := band_elim h1234
  have ⟨h12, _⟩ := band_elim h123
  have ⟨h1, h2⟩ := band_elim h12
  have ⟨hUl, _⟩ := rows_ok_spec M.WU M.d_hidden (elements M.grp).length h5
  have ⟨hXl, hXr⟩ := rows_ok_spec H.LX (M.d_hidden + H.Lq.length) H.LY.length hX
  have ⟨hYl, _⟩ := rows_ok_spec H.LY H.LY.length (elements M.grp).length hY
  -- tables of the precomputation at x and y
  have eAi : nth x (pcOf M H).pAi [] = H.nrn.map (fun nl => nl.2 * ent0 H.Lq nl.1 x) :=
    nth_map_seq (fun x => H.nrn.map (fun nl => nl.2 * ent0 H.Lq nl.1 x)) (elements M.grp).length x [] hx
  have eBi : nth y (pcOf M H).pBi [] = H.nrn.map (fun nl => nl.2 * ent0 H.Rq nl.1 y) :=
    nth_map_seq (fun y => H.nrn.map (fun nl => nl.2 * ent0 H.Rq nl.1 y)) (elements M.grp).length y [] hy
  have eLT : nth x (pcOf M H).pLT [] = (seq 0 H.Lq.length).map (fun p => ent0 H.Lq p x) :=
    nth_map_seq (fun x => (seq 0 H.Lq.length).map (fun p => ent0 H.Lq p x)) (elements M.grp).length x [] hx
  have eRT : nth y (pcOf M H).pRT [] = (seq 0 H.Lq.length).map (fun p => ent0 H.Rq p y) :=
    nth_map_seq (fun y => (seq 0 H.Lq.length).map (fun p => ent0 H.Rq p y)) (elements M.grp).length y [] hy
  -- lengths
  have Lhid : (hidOf (pcOf M H) x y).length = M.d_hidden :=
    length_hidden _ _ M.d_hidden (length_row M.EL M.WL (elements M.grp).length M.d_embed M.d_hidden x h1 hx)
      (length_row M.ER M.WR (elements M.grp).length M.d_embed M.d_hidden y h2 hy)
  have LAi : (nth x (pcOf M H).pAi []).length = M.d_hidden := by rw [eAi, length_map', hnrn]
  have LBi : (nth y (pcOf M H).pBi []).length = M.d_hidden := by rw [eBi, length_map', hnrn]
  have LLT : (nth x (pcOf M H).pLT []).length = H.Lq.length := by rw [eLT, length_map', length_seq]
  have LRT : (nth y (pcOf M H).pRT []).length = H.Lq.length := by rw [eRT, length_map', length_seq]
  have Lgi : (giOf (pcOf M H) x y).length = M.d_hidden := length_hidden _ _ M.d_hidden LAi LBi
  have Lgp : (gpOf (pcOf M H) x y).length = H.Lq.length := length_hidden _ _ H.Lq.length LLT LRT
  have Lf : (featsN (pow2 H.d1) (hidOf (pcOf M H) x y) (giOf (pcOf M H) x y)).length = M.d_hidden :=
    length_featsN (pow2 H.d1) _ _ M.d_hidden Lhid Lgi
  have ephi : phiOf (pcOf M H) x y
      = featsN (pow2 H.d1) (hidOf (pcOf M H) x y) (giOf (pcOf M H) x y) ++ gpOf (pcOf M H) x y := rfl
  have Lphi : (phiOf (pcOf M H) x y).length = M.d_hidden + H.Lq.length := by
    rw [ephi, length_app, Lf, Lgp]
  -- entries of the features
  have Egp : ∀ p, p < H.Lq.length → nth p (gpOf (pcOf M H) x y) 0 = max 0 (ent0 H.Lq p x + ent0 H.Rq p y) := by
    intro p hp
    have e : nth p (gpOf (pcOf M H) x y) 0 = max 0 (nth p (nth x (pcOf M H).pLT []) 0 + nth p (nth y (pcOf M H).pRT []) 0) :=
      nth_hidden _ _ p (by rw [LLT]; exact hp) (by rw [LRT]; exact hp)
    rw [e, eLT, eRT, nth_map_seq (fun p => ent0 H.Lq p x) H.Lq.length p 0 hp,
      nth_map_seq (fun p => ent0 H.Rq p y) H.Lq.length p 0 hp]
  have Ephi1 : ∀ n, n < M.d_hidden → nth n (phiOf (pcOf M H) x y) 0
      = nth n (hidOf (pcOf M H) x y) 0 * pow2 H.d1 - lam H n * nth (pn H n) (gpOf (pcOf M H) x y) 0 := by
    intro n hn
    have ⟨hp, hl0⟩ := hpn n hn
    have eg : nth n (giOf (pcOf M H) x y) 0 = lam H n * nth (pn H n) (gpOf (pcOf M H) x y) 0 := by
      have e : nth n (giOf (pcOf M H) x y) 0 = max 0 (nth n (nth x (pcOf M H).pAi []) 0 + nth n (nth y (pcOf M H).pBi []) 0) :=
        nth_hidden _ _ n (by rw [LAi]; exact hn) (by rw [LBi]; exact hn)
      rw [e, eAi, eBi, nth_map_lt (fun nl => nl.2 * ent0 H.Lq nl.1 x) 0 (0, 0) H.nrn n (by omega),
        nth_map_lt (fun nl => nl.2 * ent0 H.Rq nl.1 y) 0 (0, 0) H.nrn n (by omega), Egp (pn H n) hp]
      show max 0 (lam H n * ent0 H.Lq (pn H n) x + lam H n * ent0 H.Rq (pn H n) y) = _
      rw [← Int.mul_add, relu_lam _ _ hl0]
    rw [ephi, nth_app_left 0 (featsN (pow2 H.d1) (hidOf (pcOf M H) x y) (giOf (pcOf M H) x y)) (gpOf (pcOf M H) x y) n
        (by rw [Lf]; exact hn),
      nth_featsN (pow2 H.d1) (hidOf (pcOf M H) x y) (giOf (pcOf M H) x y) n (by rw [Lhid]; exact hn)
        (by rw [Lgi]; exact hn), eg]
  have Ephi2 : ∀ p, nth (M.d_hidden + p) (phiOf (pcOf M H) x y) 0 = nth p (gpOf (pcOf M H) x y) 0 := by
    intro p
    rw [ephi, ← Lf]
    exact nth_app_right 0 _ _ p
  -- the exact decomposition
  have Edec : pow2 H.d1 * pow2 H.d3 * Zsum M.d_hidden (fun n => nth n (hidOf (pcOf M H) x y) 0 * ent0 M.WU n j)
      = Zsum H.Lq.length (fun p => ent0 H.KU p j * nth p (gpOf (pcOf M H) x y) 0)
        + Zsum M.d_hidden (fun n => (nth n (hidOf (pcOf M H) x y) 0 * pow2 H.d1
            - lam H n * nth (pn H n) (gpOf (pcOf M H) x y) 0) * (ent0 M.WU n j * pow2 H.d3))
        + Zsum H.Lq.length (fun p => nth p (gpOf (pcOf M H) x y) 0
            * (Zsum M.d_hidden (fun n => (if pn H n = p then lam H n else 0) * ent0 M.WU n j) * pow2 H.d3
              - ent0 H.KU p j)) :=
    decomp M.d_hidden H.Lq.length (fun n => nth n (hidOf (pcOf M H) x y) 0) (fun p => nth p (gpOf (pcOf M H) x y) 0)
      (lam H) (pn H) (ent0 M.WU) (ent0 H.KU) (pow2 H.d1) (pow2 H.d3) j (fun n hn => (hpn n hn).1)
  have ED1 : Zsum M.d_hidden (fun n => nth n (phiOf (pcOf M H) x y) 0 * ent0 (coef_rows M H (elements M.grp).length) n j)
      = Zsum M.d_hidden (fun n => (nth n (hidOf (pcOf M H) x y) 0 * pow2 H.d1
            - lam H n * nth (pn H n) (gpOf (pcOf M H) x y) 0) * (ent0 M.WU n j * pow2 H.d3)) :=
    Zsum_ext _ _ M.d_hidden (fun n hn => by rw [Ephi1 n hn, coef_neuron M H hsh n j hn hj])
  have ED2 : Zsum H.Lq.length (fun p => nth (M.d_hidden + p) (phiOf (pcOf M H) x y) 0
        * ent0 (coef_rows M H (elements M.grp).length) (M.d_hidden + p) j)
      = Zsum H.Lq.length (fun p => nth p (gpOf (pcOf M H) x y) 0
            * (Zsum M.d_hidden (fun n => (if pn H n = p then lam H n else 0) * ent0 M.WU n j) * pow2 H.d3
              - ent0 H.KU p j)) :=
    Zsum_ext _ _ H.Lq.length (fun p hp => by rw [Ephi2 p, coef_pair M H hsh p j hp hj])
  have ED : Zsum (M.d_hidden + H.Lq.length)
        (fun i => nth i (phiOf (pcOf M H) x y) 0 * ent0 (coef_rows M H (elements M.grp).length) i j)
      = Zsum M.d_hidden (fun n => (nth n (hidOf (pcOf M H) x y) 0 * pow2 H.d1
            - lam H n * nth (pn H n) (gpOf (pcOf M H) x y) 0) * (ent0 M.WU n j * pow2 H.d3))
        + Zsum H.Lq.length (fun p => nth p (gpOf (pcOf M H) x y) 0
            * (Zsum M.d_hidden (fun n => (if pn H n = p then lam H n else 0) * ent0 M.WU n j) * pow2 H.d3
              - ent0 H.KU p j)) := by
    rw [Zsum_split, ED1, ED2]
  have EI : ideal H x y j = Zsum H.Lq.length (fun p => ent0 H.KU p j * nth p (gpOf (pcOf M H) x y) 0) :=
    Zsum_ext _ _ H.Lq.length (fun p hp => by rw [Egp p hp])
  -- the logit of class j, scaled
  have hWT : nth j (pcOf M H).pWUT [] = zcol M.WU j := nth_map_seq (zcol M.WU) (elements M.grp).length j [] hj
  have Lb2 : (tabb2 M (elements M.grp).length).length = (elements M.grp).length := by
    show ((seq 0 (elements M.grp).length).map (fun c => nth c M.bU 0 * (pw2 M * pw2 M))).length = _
    rw [length_map', length_seq]
  have Ebb : nth j (pcOf M H).pbb 0 = pow2 (H.d1 + H.d3) * nth j (pcOf M H).pb2 0 :=
    nth_map_lt (fun b => pow2 (H.d1 + H.d3) * b) 0 0 (tabb2 M (elements M.grp).length) j (by rw [Lb2]; exact hj)
  have e13 : (pcOf M H).pE13 = pow2 H.d1 * pow2 H.d3 := pcOf_E13 M H
  have e13' : pow2 (H.d1 + H.d3) = pow2 H.d1 * pow2 H.d3 := pcOf_E13 M H
  have ez : zdot (hidOf (pcOf M H) x y) (zcol M.WU j) = Zsum M.d_hidden (fun n => nth n (hidOf (pcOf M H) x y) 0 * ent0 M.WU n j) := by
    rw [zdot_Zsum _ (zcol M.WU j) M.d_hidden Lhid (by rw [length_zcol, hUl])]
    exact Zsum_ext _ _ M.d_hidden (fun n _ => by rw [nth_zcol]; try rfl)
  have EL : (pcOf M H).pE13 * (zdot (hidOf (pcOf M H) x y) (nth j (pcOf M H).pWUT []) + nth j (pcOf M H).pb2 0)
      = ideal H x y j + Zsum (M.d_hidden + H.Lq.length)
          (fun i => nth i (phiOf (pcOf M H) x y) 0 * ent0 (coef_rows M H (elements M.grp).length) i j)
        + nth j (pcOf M H).pbb 0 := by
    rw [Ebb, hWT, ez, ED, EI, e13', e13, Int.mul_add, Edec]
    omega
  -- the low-rank bound
  have LpX : ((pcOf M H).pXT.map (zdot (phiOf (pcOf M H) x y))).length = H.LY.length := by
    show (((seq 0 H.LY.length).map (zcol H.LX)).map (zdot (phiOf (pcOf M H) x y))).length = _
    rw [length_map', length_map', length_seq]
  have epX : ∀ t, t < H.LY.length → nth t ((pcOf M H).pXT.map (zdot (phiOf (pcOf M H) x y))) 0
      = Zsum (M.d_hidden + H.Lq.length) (fun i => nth i (phiOf (pcOf M H) x y) 0 * nth t (nth i H.LX []) 0) := by
    intro t ht
    have e1 : nth t ((pcOf M H).pXT.map (zdot (phiOf (pcOf M H) x y))) 0 = zdot (phiOf (pcOf M H) x y) (nth t (pcOf M H).pXT []) :=
      nth_map_lt (zdot (phiOf (pcOf M H) x y)) 0 [] _ t
        (by show t < ((seq 0 H.LY.length).map (zcol H.LX)).length; rw [length_map', length_seq]; exact ht)
    have e2 : nth t (pcOf M H).pXT [] = zcol H.LX t := nth_map_seq (zcol H.LX) H.LY.length t [] ht
    rw [e1, e2, zdot_Zsum _ (zcol H.LX t) (M.d_hidden + H.Lq.length) Lphi (by rw [length_zcol, hXl])]
    exact Zsum_ext _ _ _ (fun i _ => by rw [nth_zcol])
  have Ev : nth j (vOf (pcOf M H) x y) 0
      = Zsum (M.d_hidden + H.Lq.length) (fun i => nth i (phiOf (pcOf M H) x y) 0 * zdot (nth i H.LX []) (zcol H.LY j)) := by
    have e1 : nth j (vOf (pcOf M H) x y) 0 = zdot ((pcOf M H).pXT.map (zdot (phiOf (pcOf M H) x y))) (nth j (pcOf M H).pYT []) :=
      nth_map_lt (zdot ((pcOf M H).pXT.map (zdot (phiOf (pcOf M H) x y)))) 0 [] _ j
        (by show j < ((seq 0 (elements M.grp).length).map (zcol H.LY)).length; rw [length_map', length_seq]; exact hj)
    have e2 : nth j (pcOf M H).pYT [] = zcol H.LY j := nth_map_seq (zcol H.LY) (elements M.grp).length j [] hj
    rw [e1, e2, zdot_Zsum _ (zcol H.LY j) H.LY.length LpX (by rw [length_zcol])]
    have e3 : Zsum H.LY.length (fun t => nth t ((pcOf M H).pXT.map (zdot (phiOf (pcOf M H) x y))) 0 * nth t (zcol H.LY j) 0)
        = Zsum H.LY.length (fun t => Zsum (M.d_hidden + H.Lq.length)
            (fun i => nth i (phiOf (pcOf M H) x y) 0 * (nth t (nth i H.LX []) 0 * nth j (nth t H.LY []) 0))) := by
      apply Zsum_ext
      intro t ht
      rw [epX t ht, nth_zcol, Int.mul_comm, ← Zsum_mul_left]
      apply Zsum_ext
      intro i _
      exact zmul_rot3 (nth j (nth t H.LY []) 0) (nth i (phiOf (pcOf M H) x y) 0) (nth t (nth i H.LX []) 0)
    have e4 : Zsum (M.d_hidden + H.Lq.length) (fun i => nth i (phiOf (pcOf M H) x y) 0 * zdot (nth i H.LX []) (zcol H.LY j))
        = Zsum (M.d_hidden + H.Lq.length) (fun i => Zsum H.LY.length
            (fun t => nth i (phiOf (pcOf M H) x y) 0 * (nth t (nth i H.LX []) 0 * nth j (nth t H.LY []) 0))) := by
      apply Zsum_ext
      intro i hi
      rw [zdot_Zsum (nth i H.LX []) (zcol H.LY j) H.LY.length (hXr i hi) (by rw [length_zcol]), ← Zsum_mul_left]
      apply Zsum_ext
      intro t _
      rw [nth_zcol]
    rw [e3, e4]
    exact (Zsum_swap (fun i t => nth i (phiOf (pcOf M H) x y) 0 * (nth t (nth i H.LX []) 0 * nth j (nth t H.LY []) 0))
      H.LY.length (M.d_hidden + H.Lq.length)).symm
  have Erb : rbOf (pcOf M H) x y = Zsum (M.d_hidden + H.Lq.length) (fun i => zabs (nth i (phiOf (pcOf M H) x y) 0) * nth i H.rmax 0) := by
    show zdot ((phiOf (pcOf M H) x y).map zabs) H.rmax = _
    rw [zdot_Zsum ((phiOf (pcOf M H) x y).map zabs) H.rmax (M.d_hidden + H.Lq.length) (by rw [length_map', Lphi]) hrm]
    exact Zsum_ext _ _ _ (fun i hi => by rw [nth_map_lt zabs 0 0 (phiOf (pcOf M H) x y) i (by rw [Lphi]; exact hi)])
  have HD : Zsum (M.d_hidden + H.Lq.length)
        (fun i => nth i (phiOf (pcOf M H) x y) 0 * ent0 (coef_rows M H (elements M.grp).length) i j)
      ≤ nth j (vOf (pcOf M H) x y) 0 + rbOf (pcOf M H) x y := by
    rw [Ev, Erb, ← Zsum_add]
    exact Zsum_le _ _ _ (fun i hi => lowrank_bound _ _ _ _ (lowrank_entry M H hlr i j hi hj))
  -- the ideal part
  have Eie : nth j (ieOf (pcOf M H) x y) 0 = ideal H x y j := by
    have ⟨ht, hu, E⟩ := ideal_class (elements M.grp) (elements M.grp).length H hgen hw x y j hx hy hj
    have e1 : nth x (pcOf M H).pLX [] = (seq 0 (elements M.grp).length).map (actL (elements M.grp) (nth x H.wordL [])) :=
      nth_map_seq (fun x => (seq 0 (elements M.grp).length).map (actL (elements M.grp) (nth x H.wordL [])))
        (elements M.grp).length x [] hx
    have e2 : nth y (pcOf M H).pIeR [] = (seq 0 (elements M.grp).length).map (fun t =>
        nth (actR (elements M.grp) (nth y H.wordR []) t) ((seq 0 (elements M.grp).length).map (ideal H 0 0)) 0) :=
      nth_map_seq (fun y => (seq 0 (elements M.grp).length).map (fun t =>
        nth (actR (elements M.grp) (nth y H.wordR []) t) ((seq 0 (elements M.grp).length).map (ideal H 0 0)) 0))
        (elements M.grp).length y [] hy
    have hl : j < ((seq 0 (elements M.grp).length).map (actL (elements M.grp) (nth x H.wordL []))).length := by
      rw [length_map', length_seq]
      exact hj
    have e3 : nth j (ieOf (pcOf M H) x y) 0 = nth (nth j ((seq 0 (elements M.grp).length).map
        (actL (elements M.grp) (nth x H.wordL []))) 0) (nth y (pcOf M H).pIeR []) 0 := by
      show nth j ((nth x (pcOf M H).pLX []).map (fun t => nth t (nth y (pcOf M H).pIeR []) 0)) 0 = _
      rw [e1]
      exact nth_map_lt (fun t => nth t (nth y (pcOf M H).pIeR []) 0) 0 0 _ j hl
    rw [e3, nth_map_seq (actL (elements M.grp) (nth x H.wordL [])) (elements M.grp).length j 0 hj, e2,
      nth_map_seq (fun t => nth (actR (elements M.grp) (nth y H.wordR []) t)
        ((seq 0 (elements M.grp).length).map (ideal H 0 0)) 0) (elements M.grp).length _ 0 ht,
      nth_map_seq (ideal H 0 0) (elements M.grp).length _ 0 hu, E]
  have Lie : (ieOf (pcOf M H) x y).length = (elements M.grp).length := by
    show ((nth x (pcOf M H).pLX []).map (fun t => nth t (nth y (pcOf M H).pIeR []) 0)).length = _
    have e1 : nth x (pcOf M H).pLX [] = (seq 0 (elements M.grp).length).map (actL (elements M.grp) (nth x H.wordL [])) :=
      nth_map_seq (fun x => (seq 0 (elements M.grp).length).map (actL (elements M.grp) (nth x H.wordL [])))
        (elements M.grp).length x [] hx
    rw [length_map', e1, length_map', length_seq]
  have Lbb : (pcOf M H).pbb.length = (elements M.grp).length := by
    show ((tabb2 M (elements M.grp).length).map (fun b => pow2 (H.d1 + H.d3) * b)).length = _
    rw [length_map', Lb2]
  have Lv : (vOf (pcOf M H) x y).length = (elements M.grp).length := by
    show (((seq 0 (elements M.grp).length).map (zcol H.LY)).map
      (zdot ((pcOf M H).pXT.map (zdot (phiOf (pcOf M H) x y))))).length = _
    rw [length_map', length_map', length_seq]
  refine ⟨?_, length_rhs _ _ _ (elements M.grp).length Lie Lbb Lv⟩
  rw [nth_rhs (ieOf (pcOf M H) x y) (pcOf M H).pbb (vOf (pcOf M H) x y) j (by rw [Lie]; exact hj) (by rw [Lbb]; exact hj)
    (by rw [Lv]; exact hj), EL, Eie]
  omega

end Sound

/-- Soundness of the rho-set check: for every `ExpField K` (only its ordered-field part is used),
`check_group_rho M N H = true` implies that at least `N` distinct pairs are classified correctly. -/
theorem check_group_rho_sound {K : Type} [ExpField K] (M : GModel) (N : Nat) (H : RhoHints)
    (hc : check_group_rho M N H = true) : GAccuracyAtLeast K M N := by
  have ⟨h4, hN⟩ := band_elim hc
  have ⟨h3, hlr⟩ := band_elim h4
  have ⟨h2, hw⟩ := band_elim h3
  have ⟨hsh, hgen⟩ := band_elim h2
  refine ⟨filt (ok_pair (pcOf M H) (elements M.grp) (elements M.grp).length)
      (list_prod (seq 0 (elements M.grp).length) (seq 0 (elements M.grp).length)),
    (nd_filt _ _ (nd_list_prod _ _ (nd_seq 0 _) (nd_seq 0 _))).nodup, ?_, dec_true hN⟩
  intro p hp
  have ⟨hin, hok⟩ := mem_filt _ _ p hp
  have ⟨hx, hy⟩ := mem_list_prod _ _ p hin
  have hx' := mem_seq 0 _ p.1 hx
  have hy' := mem_seq 0 _ p.2 hy
  have hxG : p.1 < order M.grp := by
    show p.1 < (elements M.grp).length
    omega
  have hyG : p.2 < order M.grp := by
    show p.2 < (elements M.grp).length
    omega
  refine ⟨hxG, hyG, ?_⟩
  have hok' : ok_pair (pcOf M H) (elements M.grp) (elements M.grp).length (p.1, p.2) = true := hok
  rw [ok_pair_eq] at hok'
  have ⟨hz, hb⟩ := band_elim hok'
  have hzG : gmul M.grp p.1 p.2 < (elements M.grp).length := dec_true hz
  have hs : shape_ok M (elements M.grp).length = true := (shape_parts_rho M H hsh).1
  intro j hj hjz
  have ⟨hib, hlen⟩ := int_bound M H hsh hgen hw hlr p.1 p.2 j hxG hyG hj
  have hlt := beats_spec _ (gmul M.grp p.1 p.2) _ 0 hb j (by rw [hlen]; exact hj) (by omega)
  -- the integer logits (unit 2^-3s)
  have hE : 0 < (pcOf M H).pE13 := pow2_pos (H.d1 + H.d3)
  have hint : zdot (hidOf (pcOf M H) p.1 p.2) (nth j (pcOf M H).pWUT []) + nth j (pcOf M H).pb2 0
      < zdot (hidOf (pcOf M H) p.1 p.2) (nth (mul_in (elements M.grp) p.1 p.2) (pcOf M H).pWUT [])
        + nth (mul_in (elements M.grp) p.1 p.2) (pcOf M H).pb2 0 := by
    by_cases hlt' : zdot (hidOf (pcOf M H) p.1 p.2) (nth j (pcOf M H).pWUT []) + nth j (pcOf M H).pb2 0
      < zdot (hidOf (pcOf M H) p.1 p.2) (nth (mul_in (elements M.grp) p.1 p.2) (pcOf M H).pWUT [])
        + nth (mul_in (elements M.grp) p.1 p.2) (pcOf M H).pb2 0
    · exact hlt'
    · have hle := Int.not_lt.mp hlt'
      have hm := Int.mul_le_mul_of_nonneg_left hle (Int.le_of_lt hE)
      unfold lzOf at hlt
      omega
  have hWT : (tabWUT M (elements M.grp).length).length = (elements M.grp).length := by
    show ((seq 0 _).map (zcol M.WU)).length = _
    rw [length_map', length_seq]
  have hb2 : (tabb2 M (elements M.grp).length).length = (elements M.grp).length := by
    show ((seq 0 _).map (fun c => nth c M.bU 0 * (pw2 M * pw2 M))).length = _
    rw [length_map', length_seq]
  have hjW : j < (tabWUT M (elements M.grp).length).length := by
    rw [hWT]
    exact hj
  have hjb : j < (tabb2 M (elements M.grp).length).length := by
    rw [hb2]
    exact hj
  have hzW : gmul M.grp p.1 p.2 < (tabWUT M (elements M.grp).length).length := by
    rw [hWT]
    exact hzG
  have hzb : gmul M.grp p.1 p.2 < (tabb2 M (elements M.grp).length).length := by
    rw [hb2]
    exact hzG
  rw [logit_bridge (K := K) M (elements M.grp).length hs p.1 p.2 j hxG hyG hj,
    logit_bridge (K := K) M (elements M.grp).length hs p.1 p.2 (gmul M.grp p.1 p.2) hxG hyG hzG,
    nth_logits _ _ _ j hjW hjb, nth_logits _ _ _ (gmul M.grp p.1 p.2) hzW hzb]
  have h3 : (ofInt 0 : K) < sc M * sc M * sc M :=
    ExpField.mul_pos (ExpField.mul_pos (sc_pos M) (sc_pos M)) (sc_pos M)
  have h4 := ExpField.mul_lt_mul_of_pos_left _ _ _ (ExpField.ofInt_lt _ _ hint) h3
  rw [ExpField.mul_comm (sc M * sc M * sc M), ExpField.mul_comm (sc M * sc M * sc M)] at h4
  exact h4

end Pybridge.Group
