/-
GroupBruteForce: the brute-force check of a group-operation MLP (Lean mirror of
coq/theories/GroupBruteForce.v, docs/CHECKING.md section 8.4).

`check_group_bf M N` recomputes the group from its name (`elements`), the exact integer
pre-activations `A = Z_EL Z_WL`, `B = Z_ER Z_WR` (unit `2^-2s`), and for every pair `(x, y)` the
exact integer logits (unit `2^-3s`) `L_c = sum_k max(A[x][k] + B[y][k], 0) Z_WU[k][c] + Z_bU[c] 2^(2s)`;
it counts the pairs whose logit of `x*y` is strictly above all others and compares `N` with the
count.  `check_group_bf_sound` turns `check_group_bf M N = true` into `GAccuracyAtLeast K M N` for
every `ExpField K`.  `zdot`, `zcol` are those of Tables.lean (Coq's `zdot` multiplies in the other
order, for speed of `vm_compute`; same integers).

NOTE: written without a Lean toolchain; never compiled on the authoring machine.
-/
import Proofs.GroupSpec
import Proofs.Checker

namespace Pybridge.Group

open Pybridge
open ExpField (ofInt inv)

/-! ### The checker -/

/-- `X Y` for a matrix `Y` with `c` columns. -/
def zmatmul (X Y : List (List Int)) (c : Nat) : List (List Int) :=
  let YT := (seq 0 c).map (zcol Y)
  X.map (fun row => YT.map (zdot row))

def rows_ok (A : List (List Int)) (r c : Nat) : Bool :=
  decide (A.length = r) && allL (fun row => decide (row.length = c)) A

def shape_ok (M : GModel) (G : Nat) : Bool :=
  rows_ok M.EL G M.d_embed && rows_ok M.ER G M.d_embed && rows_ok M.WL M.d_embed M.d_hidden
    && rows_ok M.WR M.d_embed M.d_hidden && rows_ok M.WU M.d_hidden G

/-- Hidden layer `max(a + b, 0)` (Coq: a map over `combine`). -/
def hidden : List Int → List Int → List Int
  | a :: u, b :: v => max 0 (a + b) :: hidden u v
  | _, _ => []

/-- Logits `zdot hid w_c + b_c` (Coq: a map over `combine`). -/
def logits (hid : List Int) : List (List Int) → List Int → List Int
  | w :: W, b :: B => (zdot hid w + b) :: logits hid W B
  | _, _ => []

/-- Every entry of `L` (entry `i` has index `j + i`) except index `z` is `< lz`. -/
def beats (lz : Int) (z : Nat) : Nat → List Int → Bool
  | _, [] => true
  | j, l :: L => (decide (j = z) || decide (l < lz)) && beats lz z (j + 1) L

/-- `2^s`, and the two tables read per class. -/
def pw2 (M : GModel) : Int := (2 : Int) ^ M.s
def tabWUT (M : GModel) (G : Nat) : List (List Int) := (seq 0 G).map (zcol M.WU)
def tabb2 (M : GModel) (G : Nat) : List Int := (seq 0 G).map (fun c => nth c M.bU 0 * (pw2 M * pw2 M))

/-- The pair `p` is classified correctly, by the exact integer logits. -/
def pair_ok (M : GModel) (els : List (List Nat)) (A B : List (List Int)) (p : Nat × Nat) : Bool :=
  let L := logits (hidden (nth p.1 A []) (nth p.2 B [])) (tabWUT M els.length) (tabb2 M els.length)
  let z := mul_in els p.1 p.2
  decide (z < els.length) && beats (nth z L 0) z 0 L

def check_els (M : GModel) (els : List (List Nat)) (N : Nat) : Bool :=
  shape_ok M els.length
    && decide (N ≤ (filt (pair_ok M els (zmatmul M.EL M.WL M.d_hidden) (zmatmul M.ER M.WR M.d_hidden))
                    (list_prod (seq 0 els.length) (seq 0 els.length))).length)

/-- The brute-force check: `N ≤ #{(x, y) : correct}`. -/
def check_group_bf (M : GModel) (N : Nat) : Bool := check_els M (elements M.grp) N

/-! ### Lists and integer sums -/

theorem Zsum_shift (f : Nat → Int) : ∀ n : Nat, Zsum (n + 1) f = f 0 + Zsum n (fun i => f (i + 1))
  | 0 => by
    show (0 : Int) + f 0 = f 0 + 0
    omega
  | n + 1 => by
    show Zsum (n + 1) f + f (n + 1) = f 0 + (Zsum n (fun i => f (i + 1)) + f (n + 1))
    rw [Zsum_shift f n]
    omega

theorem Zsum_ext (f g : Nat → Int) : ∀ n : Nat, (∀ i, i < n → f i = g i) → Zsum n f = Zsum n g
  | 0, _ => rfl
  | n + 1, h => by
    show Zsum n f + f n = Zsum n g + g n
    rw [Zsum_ext f g n (fun i hi => h i (by omega)), h n (by omega)]

theorem zdot_Zsum : ∀ (u v : List Int) (n : Nat), u.length = n → v.length = n →
    zdot u v = Zsum n (fun i => nth i u 0 * nth i v 0)
  | [], [], n, hu, _ => by
    have e : n = 0 := Eq.trans hu.symm rfl
    subst e
    rfl
  | [], _ :: v, n, hu, hv => by
    have h1 : 0 = n := hu
    have h2 : v.length + 1 = n := hv
    omega
  | _ :: u, [], n, hu, hv => by
    have h1 : u.length + 1 = n := hu
    have h2 : 0 = n := hv
    omega
  | _ :: u, _ :: _, 0, hu, _ => by
    have h1 : u.length + 1 = 0 := hu
    omega
  | a :: u, b :: v, n + 1, hu, hv => by
    have h1 : u.length = n := by
      have h : u.length + 1 = n + 1 := hu
      omega
    have h2 : v.length = n := by
      have h : v.length + 1 = n + 1 := hv
      omega
    rw [Zsum_shift]
    show a * b + zdot u v = a * b + Zsum n (fun i => nth i u 0 * nth i v 0)
    exact congrArg (fun t => a * b + t) (zdot_Zsum u v n h1 h2)

theorem nth_map_lt {α β : Type} (f : α → β) (d : β) (d' : α) :
    ∀ (l : List α) (i : Nat), i < l.length → nth i (l.map f) d = f (nth i l d')
  | [], i, h => absurd h (Nat.not_lt_zero i)
  | _ :: _, 0, _ => rfl
  | _ :: l, i + 1, h => nth_map_lt f d d' l i (by have h' : i + 1 < l.length + 1 := h; omega)

theorem nth_zcol (A : List (List Int)) (j t : Nat) : nth t (zcol A j) 0 = nth j (nth t A []) 0 :=
  nth_map_dflt (fun row => nth j row 0) A t [] 0 (nth_nil (0 : Int) j)

theorem length_zcol (A : List (List Int)) (j : Nat) : (zcol A j).length = A.length :=
  length_map' (fun row => nth j row 0) A

theorem rows_ok_spec (A : List (List Int)) (r c : Nat) (h : rows_ok A r c = true) :
    A.length = r ∧ ∀ i, i < r → (nth i A []).length = c := by
  have ⟨h1, h2⟩ := band_elim h
  have hl : A.length = r := dec_true h1
  refine ⟨hl, fun i hi => ?_⟩
  exact dec_true (allL_spec _ A h2 (nth i A []) (nth_mem [] A i (by omega)))

theorem nth_hidden : ∀ (a b : List Int) (k : Nat), k < a.length → k < b.length →
    nth k (hidden a b) 0 = max 0 (nth k a 0 + nth k b 0)
  | [], _, k, h, _ => absurd h (Nat.not_lt_zero k)
  | _ :: _, [], k, _, h => absurd h (Nat.not_lt_zero k)
  | _ :: _, _ :: _, 0, _, _ => rfl
  | _ :: u, _ :: v, k + 1, ha, hb =>
    nth_hidden u v k (by have h : k + 1 < u.length + 1 := ha; omega)
      (by have h : k + 1 < v.length + 1 := hb; omega)

theorem length_hidden : ∀ (a b : List Int) (n : Nat), a.length = n → b.length = n →
    (hidden a b).length = n
  | [], _, n, ha, _ => ha
  | _ :: _, [], n, _, hb => hb
  | _ :: u, _ :: v, n, ha, hb => by
    have h1 : u.length + 1 = n := ha
    have h2 : v.length + 1 = n := hb
    show (hidden u v).length + 1 = n
    rw [length_hidden u v (n - 1) (by omega) (by omega)]
    omega

theorem nth_logits (hid : List Int) : ∀ (W : List (List Int)) (B : List Int) (c : Nat),
    c < W.length → c < B.length → nth c (logits hid W B) 0 = zdot hid (nth c W []) + nth c B 0
  | [], _, c, h, _ => absurd h (Nat.not_lt_zero c)
  | _ :: _, [], c, _, h => absurd h (Nat.not_lt_zero c)
  | _ :: _, _ :: _, 0, _, _ => rfl
  | _ :: W, _ :: B, c + 1, hW, hB =>
    nth_logits hid W B c (by have h : c + 1 < W.length + 1 := hW; omega)
      (by have h : c + 1 < B.length + 1 := hB; omega)

theorem length_logits (hid : List Int) : ∀ (W : List (List Int)) (B : List Int) (n : Nat),
    W.length = n → B.length = n → (logits hid W B).length = n
  | [], _, n, hW, _ => hW
  | _ :: _, [], n, _, hB => hB
  | _ :: W, _ :: B, n, hW, hB => by
    have h1 : W.length + 1 = n := hW
    have h2 : B.length + 1 = n := hB
    show (logits hid W B).length + 1 = n
    rw [length_logits hid W B (n - 1) (by omega) (by omega)]
    omega

theorem beats_spec (lz : Int) (z : Nat) : ∀ (L : List Int) (j : Nat), beats lz z j L = true →
    ∀ i, i < L.length → j + i ≠ z → nth i L 0 < lz
  | [], _, _, i, hi, _ => absurd hi (Nat.not_lt_zero i)
  | l :: L, j, h, i, hi, hz => by
    have ⟨h1, h2⟩ := band_elim h
    cases i with
    | zero =>
      cases bor_elim h1 with
      | inl e => exact absurd (dec_true e) (by omega)
      | inr e => exact dec_true e
    | succ i =>
      have hi' : i < L.length := by
        have h : i + 1 < L.length + 1 := hi
        omega
      exact beats_spec lz z L (j + 1) h2 i hi' (by omega)

theorem matmul_entry (X Y : List (List Int)) (r e c i k : Nat)
    (hX : rows_ok X r e = true) (hY : rows_ok Y e c = true) (hi : i < r) (hk : k < c) :
    nth k (nth i (zmatmul X Y c) []) 0 = Zsum e (fun t => nth t (nth i X []) 0 * nth k (nth t Y []) 0) := by
  have ⟨hXl, hXr⟩ := rows_ok_spec X r e hX
  have ⟨hYl, _⟩ := rows_ok_spec Y e c hY
  have e1 : nth i (zmatmul X Y c) [] = ((seq 0 c).map (zcol Y)).map (zdot (nth i X [])) :=
    nth_map_lt (fun row => ((seq 0 c).map (zcol Y)).map (zdot row)) [] [] X i (by omega)
  have hlen : k < ((seq 0 c).map (zcol Y)).length := by
    rw [length_map', length_seq]
    exact hk
  have e2 : nth k (((seq 0 c).map (zcol Y)).map (zdot (nth i X []))) 0
      = zdot (nth i X []) (nth k ((seq 0 c).map (zcol Y)) []) :=
    nth_map_lt (zdot (nth i X [])) 0 [] _ k hlen
  have e3 : nth k ((seq 0 c).map (zcol Y)) [] = zcol Y k := nth_map_seq (zcol Y) c k [] hk
  have hz : (zcol Y k).length = e := by
    rw [length_zcol]
    exact hYl
  rw [e1, e2, e3, zdot_Zsum (nth i X []) (zcol Y k) e (hXr i hi) hz]
  apply Zsum_ext
  intro t _
  show nth t (nth i X []) 0 * nth t (zcol Y k) 0 = nth t (nth i X []) 0 * nth k (nth t Y []) 0
  rw [nth_zcol]

theorem nd_map_pair {α β : Type} (a : α) : ∀ (l : List β), ND l → ND (l.map (fun b => (a, b)))
  | [], _ => ND.nil
  | b :: l, h => by
    cases h with
    | cons hb hl =>
      show ND ((a, b) :: l.map (fun b => (a, b)))
      apply ND.cons
      · intro q hq e
        have ⟨b', hb', e'⟩ := mem_map' (fun b => (a, b)) l q hq
        rw [← e] at e'
        exact hb b' hb' (congrArg Prod.snd e')
      · exact nd_map_pair a l hl

theorem mem_list_prod {α β : Type} (l1 : List α) (l2 : List β) (p : α × β)
    (h : p ∈ list_prod l1 l2) : p.1 ∈ l1 ∧ p.2 ∈ l2 := by
  have ⟨a, ha, hp⟩ := mem_flatMapL (fun a => l2.map (fun b => (a, b))) l1 p h
  have ⟨b, hb, e⟩ := mem_map' (fun b => (a, b)) l2 p hp
  rw [e]
  exact ⟨ha, hb⟩

theorem nd_list_prod {α β : Type} : ∀ (l1 : List α) (l2 : List β), ND l1 → ND l2 →
    ND (list_prod l1 l2)
  | [], _, _, _ => ND.nil
  | a :: l1, l2, h1, h2 => by
    cases h1 with
    | cons ha hl =>
      show ND (l2.map (fun b => (a, b)) ++ list_prod l1 l2)
      apply nd_append
      · exact nd_map_pair a l2 h2
      · exact nd_list_prod l1 l2 hl h2
      · intro p hp q hq e
        have ⟨b, _, e1⟩ := mem_map' (fun b => (a, b)) l2 p hp
        have ⟨hq1, _⟩ := mem_list_prod l1 l2 q hq
        rw [← e, e1] at hq1
        exact ha a hq1 rfl

/-! ### From the integers to the ordered field -/

section Bridge
variable {K : Type} [ExpField K]

/-- `1 / 2^s`. -/
def sc (M : GModel) : K := inv (ofInt (pw2 M))

theorem sc_pos (M : GModel) : (ofInt 0 : K) < sc M :=
  ExpField.inv_pos (ExpField.ofInt_lt 0 _ (pow2_pos M.s))

theorem Rsum_bridge (f : Nat → K) (g : Nat → Int) (a : K) :
    ∀ n : Nat, (∀ i, i < n → f i = ofInt (g i) * a) → Rsum n f = ofInt (Zsum n g) * a
  | 0, _ => by
    show (ofInt 0 : K) = ofInt 0 * a
    rw [ExpField.zero_mul]
  | n + 1, h => by
    show Rsum n f + f n = ofInt (Zsum n g + g n) * a
    rw [Rsum_bridge f g a n (fun i hi => h i (by omega)), h n (by omega), ExpField.ofInt_add,
      ExpField.add_mul]

theorem scale_mul (m w : Int) (a b : K) : ofInt m * a * (ofInt w * b) = ofInt (m * w) * (a * b) := by
  rw [ExpField.mul_mul_mul_comm, ExpField.ofInt_mul]

theorem relu_scale (q : K) (z : Int) (c : K) (hc : ofInt 0 < c) (hq : q = ofInt z * c) :
    relu q = ofInt (max 0 z) * c := by
  rw [hq]
  by_cases hz : z ≤ 0
  · have e : max 0 z = 0 := by omega
    have hle : ofInt z * c ≤ (ofInt 0 : K) := by
      have h1 := ExpField.mul_le_mul_of_nonneg_right c (ExpField.ofInt_le z 0 hz)
        (ExpField.le_of_lt _ _ hc)
      rw [ExpField.zero_mul] at h1
      exact h1
    unfold relu
    rw [if_pos hle, e, ExpField.zero_mul]
  · have e : max 0 z = z := by omega
    have hpos : (ofInt 0 : K) < ofInt z * c :=
      ExpField.mul_pos (ExpField.ofInt_lt 0 z (by omega)) hc
    have hnle : ¬ (ofInt z * c ≤ (ofInt 0 : K)) :=
      fun h => ExpField.lt_irrefl _ (ExpField.lt_of_lt_of_le _ _ _ hpos h)
    unfold relu
    rw [if_neg hnle, e]

/-- The bias in unit `2^-3s`: `b / 2^s = (b 2^(2s)) / 2^(3s)`. -/
theorem bias_scale (M : GModel) (b : Int) :
    val (K := K) M b = ofInt (b * (pw2 M * pw2 M)) * (sc M * sc M * sc M) := by
  have hP : ofInt (pw2 M) * sc M = (ofInt 1 : K) :=
    ExpField.mul_inv_cancel _ (ExpField.ne_of_pos (ExpField.ofInt_lt 0 _ (pow2_pos M.s)))
  have e1 : ofInt (pw2 M) * ofInt (pw2 M) * (sc M * sc M) = (ofInt 1 : K) := by
    rw [ExpField.mul_mul_mul_comm, hP, ExpField.one_mul]
  show ofInt b * sc M = ofInt (b * (pw2 M * pw2 M)) * (sc M * sc M * sc M)
  rw [ExpField.ofInt_mul, ExpField.ofInt_mul, ExpField.mul_assoc (ofInt b),
    ← ExpField.mul_assoc (ofInt (pw2 M) * ofInt (pw2 M)) (sc M * sc M) (sc M), e1, ExpField.one_mul]

theorem pre_bridge (M : GModel) (G : Nat) (hs : shape_ok M G = true) (x y k : Nat)
    (hx : x < G) (hy : y < G) (hk : k < M.d_hidden) :
    pre (K := K) M x y k
      = ofInt (nth k (nth x (zmatmul M.EL M.WL M.d_hidden) []) 0
               + nth k (nth y (zmatmul M.ER M.WR M.d_hidden) []) 0) * (sc M * sc M) := by
  have ⟨h1234, _⟩ := band_elim hs
  have ⟨h123, h4⟩ := band_elim h1234
  have ⟨h12, h3⟩ := band_elim h123
  have ⟨h1, h2⟩ := band_elim h12
  rw [matmul_entry M.EL M.WL G M.d_embed M.d_hidden x k h1 h3 hx hk,
    matmul_entry M.ER M.WR G M.d_embed M.d_hidden y k h2 h4 hy hk, ExpField.ofInt_add, ExpField.add_mul]
  have eL : Rsum M.d_embed (fun i => ent (K := K) M M.EL x i * ent M M.WL i k)
      = ofInt (Zsum M.d_embed (fun t => nth t (nth x M.EL []) 0 * nth k (nth t M.WL []) 0))
        * (sc M * sc M) := by
    apply Rsum_bridge
    intro i _
    exact scale_mul (nth i (nth x M.EL []) 0) (nth k (nth i M.WL []) 0) (sc M) (sc M)
  have eR : Rsum M.d_embed (fun i => ent (K := K) M M.ER y i * ent M M.WR i k)
      = ofInt (Zsum M.d_embed (fun t => nth t (nth y M.ER []) 0 * nth k (nth t M.WR []) 0))
        * (sc M * sc M) := by
    apply Rsum_bridge
    intro i _
    exact scale_mul (nth i (nth y M.ER []) 0) (nth k (nth i M.WR []) 0) (sc M) (sc M)
  show Rsum M.d_embed (fun i => ent (K := K) M M.EL x i * ent M M.WL i k)
      + Rsum M.d_embed (fun i => ent (K := K) M M.ER y i * ent M M.WR i k) = _
  rw [eL, eR]

theorem length_row (X Y : List (List Int)) (r e c i : Nat) (hX : rows_ok X r e = true) (hi : i < r) :
    (nth i (zmatmul X Y c) []).length = c := by
  have ⟨hXl, _⟩ := rows_ok_spec X r e hX
  -- `zmatmul` is a plain `def`: state the unfolded row with `have` (checked up to definitional
  -- unfolding) instead of asking `rw` to find `X.map _` inside `zmatmul X Y c` (docs/LEAN.md, finding 1).
  have e1 : nth i (zmatmul X Y c) [] = ((seq 0 c).map (zcol Y)).map (zdot (nth i X [])) :=
    nth_map_lt (fun row => ((seq 0 c).map (zcol Y)).map (zdot row)) [] [] X i (by omega)
  rw [e1, length_map', length_map', length_seq]

theorem logit_bridge (M : GModel) (G : Nat) (hs : shape_ok M G = true) (x y c : Nat)
    (hx : x < G) (hy : y < G) (hc : c < G) :
    glogit (K := K) M x y c
      = ofInt (nth c (logits (hidden (nth x (zmatmul M.EL M.WL M.d_hidden) [])
                                     (nth y (zmatmul M.ER M.WR M.d_hidden) []))
                             (tabWUT M G) (tabb2 M G)) 0) * (sc M * sc M * sc M) := by
  have ⟨h1234, h5⟩ := band_elim hs
  have ⟨h123, _⟩ := band_elim h1234
  have ⟨h12, _⟩ := band_elim h123
  have ⟨h1, h2⟩ := band_elim h12
  have ⟨hUl, _⟩ := rows_ok_spec M.WU M.d_hidden G h5
  have hA := length_row M.EL M.WL G M.d_embed M.d_hidden x h1 hx
  have hB := length_row M.ER M.WR G M.d_embed M.d_hidden y h2 hy
  have hH := length_hidden _ _ M.d_hidden hA hB
  have hWT : c < (tabWUT M G).length := by
    show c < ((seq 0 G).map (zcol M.WU)).length
    rw [length_map', length_seq]
    exact hc
  have hb2 : c < (tabb2 M G).length := by
    show c < ((seq 0 G).map (fun c => nth c M.bU 0 * (pw2 M * pw2 M))).length
    rw [length_map', length_seq]
    exact hc
  have eW : nth c (tabWUT M G) [] = zcol M.WU c := nth_map_seq (zcol M.WU) G c [] hc
  have eb : nth c (tabb2 M G) 0 = nth c M.bU 0 * (pw2 M * pw2 M) :=
    nth_map_seq (fun c => nth c M.bU 0 * (pw2 M * pw2 M)) G c 0 hc
  have hz : (zcol M.WU c).length = M.d_hidden := by
    rw [length_zcol]
    exact hUl
  rw [nth_logits _ _ _ c hWT hb2, eW, eb, zdot_Zsum _ (zcol M.WU c) M.d_hidden hH hz,
    ExpField.ofInt_add, ExpField.add_mul, ← bias_scale (K := K) M (nth c M.bU 0)]
  have eS : Rsum M.d_hidden (fun k => relu (pre (K := K) M x y k) * ent M M.WU k c)
      = ofInt (Zsum M.d_hidden (fun i =>
          nth i (hidden (nth x (zmatmul M.EL M.WL M.d_hidden) [])
                        (nth y (zmatmul M.ER M.WR M.d_hidden) [])) 0 * nth i (zcol M.WU c) 0))
        * (sc M * sc M * sc M) := by
    apply Rsum_bridge
    intro k hk
    rw [relu_scale (pre (K := K) M x y k)
        (nth k (nth x (zmatmul M.EL M.WL M.d_hidden) []) 0
          + nth k (nth y (zmatmul M.ER M.WR M.d_hidden) []) 0) (sc M * sc M)
        (ExpField.mul_pos (sc_pos M) (sc_pos M)) (pre_bridge M G hs x y k hx hy hk),
      nth_hidden (nth x (zmatmul M.EL M.WL M.d_hidden) []) (nth y (zmatmul M.ER M.WR M.d_hidden) []) k
        (by omega) (by omega), nth_zcol]
    exact scale_mul _ (nth c (nth k M.WU []) 0) (sc M * sc M) (sc M)
  show Rsum M.d_hidden (fun k => relu (pre (K := K) M x y k) * ent M M.WU k c)
      + val M (nth c M.bU 0) = _
  rw [eS]

end Bridge

/-- Soundness of the brute-force check: for every `ExpField K` (only its ordered-field part is
used), `check_group_bf M N = true` implies that at least `N` distinct pairs are classified
correctly. -/
theorem check_group_bf_sound {K : Type} [ExpField K] (M : GModel) (N : Nat)
    (hc : check_group_bf M N = true) : GAccuracyAtLeast K M N := by
  have ⟨hs, hN⟩ := band_elim hc
  refine ⟨filt (pair_ok M (elements M.grp) (zmatmul M.EL M.WL M.d_hidden)
      (zmatmul M.ER M.WR M.d_hidden))
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
  have ⟨hz, hb⟩ := band_elim hok
  have hzG : gmul M.grp p.1 p.2 < (elements M.grp).length := dec_true hz
  intro j hj hjz
  have hL := length_logits (hidden (nth p.1 (zmatmul M.EL M.WL M.d_hidden) [])
      (nth p.2 (zmatmul M.ER M.WR M.d_hidden) []))
    (tabWUT M (elements M.grp).length) (tabb2 M (elements M.grp).length) (elements M.grp).length
    (by show ((seq 0 _).map (zcol M.WU)).length = _; rw [length_map', length_seq])
    (by show ((seq 0 _).map (fun c => nth c M.bU 0 * (pw2 M * pw2 M))).length = _;
        rw [length_map', length_seq])
  have hlt := beats_spec _ (gmul M.grp p.1 p.2) _ 0 hb j (by rw [hL]; exact hj) (by omega)
  rw [logit_bridge (K := K) M (elements M.grp).length hs p.1 p.2 j hxG hyG hj,
    logit_bridge (K := K) M (elements M.grp).length hs p.1 p.2 (gmul M.grp p.1 p.2) hxG hyG hzG]
  have h3 : (ofInt 0 : K) < sc M * sc M * sc M :=
    ExpField.mul_pos (ExpField.mul_pos (sc_pos M) (sc_pos M)) (sc_pos M)
  have h4 := ExpField.mul_lt_mul_of_pos_left _ _ _ (ExpField.ofInt_lt _ _ hlt) h3
  rw [ExpField.mul_comm (sc M * sc M * sc M), ExpField.mul_comm (sc M * sc M * sc M)] at h4
  exact h4

end Pybridge.Group
