(** * GroupRho: the Coq re-check of the [rho-set] strategy of a group-operation MLP
    (docs/CHECKING.md sections 8.6 and 8.7).

    [check_group_rho M N H] proves [accuracy_at_least M N] (GroupSpec.v, the real model given by
    its weights) from hint data [H] that is never trusted:
    - an *ideal model* at the pair level, integer tables [Lq], [Rq], [KU] ([P x |G|]) with
      [I(x, y)_c = sum_p KU[p][c] max(Lq[p][x] + Rq[p][y], 0)] ([ideal]);
    - for every model neuron [n] a pair [p_n < P] and a weight [lam_n >= 0] ([nrn]);
    - generators [(g, pi, sigma)] whose permutations [pi], [sigma] of the pairs make the ideal model
      invariant under [x -> g x, z -> g z] resp. [y -> y g, z -> z g] (checked row by row, no group
      axiom is used: only the multiplication table [mul_in] of GroupSpec), and for every element [x]
      words [wordL x], [wordR x] over the generators with [actL (wordL x) x = 0] and
      [actR (wordR y) y = 0]; hence [I(x, y)_j = I(0, 0)_{actR (wordR y) (actL (wordL x) j)}];
    - a low-rank split [X], [Y], [rmax] of the coefficient rows [C] ([coef_rows]) with
      [|C[i][c] - (X Y)[i][c]| <= rmax_i].
    With [E1 = 2^d1], [E3 = 2^d3], [hid_n = max(A[x][n] + B[y][n], 0)] (GroupBruteForce) and the
    features [phi_n = E1 hid_n - lam_n g_{p_n}] ([n < h]), [phi_{h+p} = g_p = max(Lq[p][x] + Rq[p][y], 0)]:
    [E1 E3 L_c = I(x, y)_c + sum_i phi_i C[i][c] + E1 E3 b_c] exactly ([decomp]), and
    [sum_i phi_i C[i][c] <= ((phi X) Y)_c + sum_i |phi_i| rmax_i].  A pair is counted iff for every
    class [j <> x*y] the right-hand side is below the exact [E1 E3 L_{x*y}].  Exact [Z] arithmetic
    throughout; [check_group_rho_sound] is proven once and closed under the global context. *)
From Coq Require Import ZArith QArith List Lia Permutation.
From Pybridge Require Import GroupSpec GroupBruteForce.
Import ListNotations.

(** ** Hint data (produced by the untrusted exporter, pybridge/export/grouprho_data.py) *)
Record rho_hints := mk_rho {
  d1 : nat; d3 : nat;
  Lq : list (list Z); Rq : list (list Z); KU : list (list Z);
  nrn : list (nat * Z);
  gens : list (nat * list nat * list nat);
  wordL : list (list nat); wordR : list (list nat);
  LX : list (list Z); LY : list (list Z); rmax : list Z }.

(** ** The checker *)
Definition ent0 (T : list (list Z)) (i j : nat) : Z := nth j (nth i T []) 0%Z.

(** The ideal model (a function of the hints only). *)
Definition ideal (H : rho_hints) (x y c : nat) : Z :=
  zsum (length (Lq H)) (fun p => ent0 (KU H) p c * Z.max 0 (ent0 (Lq H) p x + ent0 (Rq H) p y))%Z.

Fixpoint zleq (u v : list Z) : bool :=
  match u, v with
  | [], [] => true
  | a :: u', b :: v' => Z.eqb a b && zleq u' v'
  | _, _ => false
  end.

Definition all2 {A B} (f : A -> B -> bool) (l1 : list A) (l2 : list B) : bool :=
  Nat.eqb (length l1) (length l2) && forallb (fun ab => f (fst ab) (snd ab)) (combine l1 l2).

(** Left and right action of a word over the generators: [actL [g1; ..; gm] t = gm*(..*(g1*t))]. *)
Fixpoint actL (els : list (list nat)) (w : list nat) (t : nat) : nat :=
  match w with [] => t | g :: w' => actL els w' (mul_in els g t) end.
Fixpoint actR (els : list (list nat)) (w : list nat) (t : nat) : nat :=
  match w with [] => t | g :: w' => actR els w' (mul_in els t g) end.

Definition is_perm_of (P : nat) (pi : list nat) : bool :=
  Nat.eqb (length pi) P && forallb (fun p => existsb (Nat.eqb p) pi) (seq 0 P).
Definition moved (r : list Z) (m : list nat) : list Z := map (fun z => nth z r 0%Z) m.

(** Row [p] of the pair tables under a permutation [pi] of the pairs and index maps [mK], [mL], [mR]
    (the generator's row of the multiplication table, or [seq 0 G] for a side it does not move). *)
Definition row_ok (H : rho_hints) (mK mL mR pi : list nat) (p : nat) : bool :=
  let q := nth p pi 0%nat in
  zleq (nth q (KU H) []) (moved (nth p (KU H) []) mK) &&
  (forallb (Z.eqb 0) (nth p (KU H) []) ||
     zleq (nth q (Lq H) []) (moved (nth p (Lq H) []) mL) && zleq (nth q (Rq H) []) (moved (nth p (Rq H) []) mR)).

(** Generator [g] with pair permutations [pi] (left: [x -> g x], [z -> g z]) and [sg] (right:
    [y -> y g], [z -> z g]). *)
Definition gen_ok (els : list (list nat)) (G : nat) (H : rho_hints) (gpq : nat * list nat * list nat) : bool :=
  let g := fst (fst gpq) in let pi := snd (fst gpq) in let sg := snd gpq in
  let P := length (Lq H) in
  let gl := map (mul_in els g) (seq 0 G) in
  let gr := map (fun t => mul_in els t g) (seq 0 G) in
  forallb (fun t => Nat.ltb t G) gl && forallb (fun t => Nat.ltb t G) gr &&
  is_perm_of P pi && is_perm_of P sg &&
  forallb (row_ok H gl gl (seq 0 G) pi) (seq 0 P) && forallb (row_ok H gr (seq 0 G) gr sg) (seq 0 P).

Definition is_gen (H : rho_hints) (g : nat) : bool := existsb (fun gpq => Nat.eqb (fst (fst gpq)) g) (gens H).

Definition words_ok (els : list (list nat)) (G : nat) (H : rho_hints) : bool :=
  forallb (fun x => let w := nth x (wordL H) [] in forallb (is_gen H) w && Nat.eqb (actL els w x) 0) (seq 0 G) &&
  forallb (fun y => let w := nth y (wordR H) [] in forallb (is_gen H) w && Nat.eqb (actR els w y) 0) (seq 0 G).

Definition rho_shape_ok (M : model) (H : rho_hints) (G : nat) : bool :=
  let P := length (Lq H) in let h := d_hidden M in
  shape_ok M G && rows_ok (Lq H) P G && rows_ok (Rq H) P G && rows_ok (KU H) P G &&
  Nat.eqb (length (nrn H)) h && forallb (fun nl => Nat.ltb (fst nl) P && Z.leb 0 (snd nl)) (nrn H) &&
  rows_ok (LX H) (h + P) (length (LY H)) && rows_ok (LY H) (length (LY H)) G &&
  Nat.eqb (length (rmax H)) (h + P).

(** Coefficient rows: [W[n] E3] for the neurons, then
    [C'[p][c] = (sum_{n : p_n = p} lam_n W[n][c]) E3 - KU[p][c]] for the pairs. *)
Definition coef_rows (M : model) (H : rho_hints) (G : nat) : list (list Z) :=
  let E3 := (2 ^ Z.of_nat (d3 H))%Z in
  let WUT := map (zcol (WU M)) (seq 0 G) in
  map (fun row => map (fun w => w * E3)%Z row) (WU M) ++
  map (fun p => let sel := map (fun nl => if Nat.eqb (fst nl) p then snd nl else 0%Z) (nrn H) in
                map (fun wc => zdot sel (fst wc) * E3 - snd wc)%Z (combine WUT (nth p (KU H) [])))
      (seq 0 (length (Lq H))).

Definition lowrank_ok (M : model) (H : rho_hints) (G : nat) : bool :=
  let YT := map (zcol (LY H)) (seq 0 G) in
  all2 (fun Crow xr => all2 (fun cv ycol => Z.abs (cv - zdot (fst xr) ycol) <=? snd xr)%Z Crow YT)
       (coef_rows M H G) (combine (LX H) (rmax H)).

(** Tables computed once. *)
Record rho_pre := mk_pre {
  pA : list (list Z); pB : list (list Z); pAi : list (list Z); pBi : list (list Z);
  pLT : list (list Z); pRT : list (list Z); pXT : list (list Z); pYT : list (list Z);
  pWUT : list (list Z); pb2 : list Z; pbb : list Z; pE1 : Z; pE13 : Z;
  pLX : list (list nat); pIeR : list (list Z); prm : list Z }.

Definition b2_of (M : model) (G : nat) : list Z :=
  map (fun c => nth c (bU M) 0 * (2 ^ Z.of_nat (s M) * 2 ^ Z.of_nat (s M)))%Z (seq 0 G).

Definition precompute (M : model) (H : rho_hints) (els : list (list nat)) (G : nat) : rho_pre :=
  let P := length (Lq H) in
  let E13 := (2 ^ Z.of_nat (d1 H + d3 H))%Z in
  let b2 := b2_of M G in
  let Ie := map (ideal H 0 0) (seq 0 G) in
  {| pA := zmatmul (EL M) (WL M) (d_hidden M); pB := zmatmul (ER M) (WR M) (d_hidden M);
     pAi := map (fun x => map (fun nl => snd nl * ent0 (Lq H) (fst nl) x)%Z (nrn H)) (seq 0 G);
     pBi := map (fun y => map (fun nl => snd nl * ent0 (Rq H) (fst nl) y)%Z (nrn H)) (seq 0 G);
     pLT := map (fun x => map (fun p => ent0 (Lq H) p x) (seq 0 P)) (seq 0 G);
     pRT := map (fun y => map (fun p => ent0 (Rq H) p y) (seq 0 P)) (seq 0 G);
     pXT := map (zcol (LX H)) (seq 0 (length (LY H)));
     pYT := map (zcol (LY H)) (seq 0 G);
     pWUT := map (zcol (WU M)) (seq 0 G);
     pb2 := b2; pbb := map (fun b => E13 * b)%Z b2;
     pE1 := (2 ^ Z.of_nat (d1 H))%Z; pE13 := E13;
     pLX := map (fun x => map (actL els (nth x (wordL H) [])) (seq 0 G)) (seq 0 G);
     pIeR := map (fun y => map (fun t => nth (actR els (nth y (wordR H) []) t) Ie 0%Z) (seq 0 G)) (seq 0 G);
     prm := rmax H |}.

Definition feats (E1 : Z) (hid gi gp : list Z) : list Z :=
  map (fun ab => fst ab * E1 - snd ab)%Z (combine hid gi) ++ gp.
Definition rhs_of (ie bb v : list Z) : list Z :=
  map (fun a => fst (fst a) + snd (fst a) + snd a)%Z (combine (combine ie bb) v).

(** One pair [(x, y)]: proven correct iff every other class is below the exact logit of [x*y]. *)
Definition ok_pair (pc : rho_pre) (els : list (list nat)) (G : nat) (xy : nat * nat) : bool :=
  let x := fst xy in let y := snd xy in
  let hid := hidden (nth x (pA pc) []) (nth y (pB pc) []) in
  let phi := feats (pE1 pc) hid (hidden (nth x (pAi pc) []) (nth y (pBi pc) []))
                   (hidden (nth x (pLT pc) []) (nth y (pRT pc) [])) in
  let v := map (zdot (map (zdot phi) (pXT pc))) (pYT pc) in
  let rb := zdot (map Z.abs phi) (prm pc) in
  let z := mul_in els x y in
  let lz := (pE13 pc * (zdot hid (nth z (pWUT pc) []) + nth z (pb2 pc) 0))%Z in
  let ie := map (fun t => nth t (nth y (pIeR pc) []) 0%Z) (nth x (pLX pc) []) in
  Nat.ltb z G && beats (lz - rb) z 0 (rhs_of ie (pbb pc) v).

Definition check_group_rho (M : model) (N : Z) (H : rho_hints) : bool :=
  let els := elements (grp M) in
  let G := length els in
  rho_shape_ok M H G && forallb (gen_ok els G H) (gens H) && words_ok els G H && lowrank_ok M H G &&
  (let pc := precompute M H els G in
   N <=? Z.of_nat (length (filter (ok_pair pc els G) (list_prod (seq 0 G) (seq 0 G)))))%Z.

(** ** Finite sums *)
Lemma zsum_0 f : zsum 0 f = 0%Z.
Proof. reflexivity. Qed.

Lemma zsum_plus n f g : zsum n (fun i => f i + g i)%Z = (zsum n f + zsum n g)%Z.
Proof. revert f g; induction n; intros f g; [unfold zsum; simpl; ring|]. rewrite !zsum_S0, IHn. ring. Qed.

Lemma zsum_scal n c f : zsum n (fun i => c * f i)%Z = (c * zsum n f)%Z.
Proof. revert f; induction n; intros f; [unfold zsum; simpl; ring|]. rewrite !zsum_S0, IHn. ring. Qed.

Lemma zsum_zero n : zsum n (fun _ => 0%Z) = 0%Z.
Proof. induction n; [reflexivity|]. rewrite zsum_S0, IHn. reflexivity. Qed.

Lemma zsum_swap n m (f : nat -> nat -> Z) :
  zsum n (fun i => zsum m (fun j => f i j)) = zsum m (fun j => zsum n (fun i => f i j)).
Proof.
  revert f; induction n; intros f.
  - rewrite zsum_0, (zsum_ext m _ (fun _ => 0%Z)) by reflexivity. symmetry. apply zsum_zero.
  - rewrite zsum_S0, IHn. rewrite <- zsum_plus. apply zsum_ext. intros j _. rewrite zsum_S0. reflexivity.
Qed.

Lemma zsum_sel n p0 (a : nat -> Z) : (p0 < n)%nat -> zsum n (fun p => if Nat.eqb p0 p then a p else 0%Z) = a p0.
Proof.
  revert p0 a; induction n; intros p0 a Hp; [lia|]. rewrite zsum_S0. destruct p0 as [|p0].
  - rewrite (zsum_ext n (fun i => if Nat.eqb 0 (S i) then a (S i) else 0%Z) (fun _ => 0%Z)) by reflexivity.
    rewrite zsum_zero. cbv beta. rewrite Nat.eqb_refl. ring.
  - rewrite (zsum_ext n (fun i => if Nat.eqb (S p0) (S i) then a (S i) else 0%Z)
                        (fun i => if Nat.eqb p0 i then a (S i) else 0%Z)) by reflexivity.
    rewrite (IHn p0 (fun i => a (S i))) by lia. cbv beta. replace (Nat.eqb (S p0) 0) with false by reflexivity. ring.
Qed.

Lemma zsum_split a b f : zsum (a + b) f = (zsum a f + zsum b (fun i => f (a + i)%nat))%Z.
Proof.
  revert f; induction a; intros f; [reflexivity|]. simpl plus. rewrite !zsum_S0, IHa. ring.
Qed.

Lemma zsum_le n f g : (forall i, (i < n)%nat -> (f i <= g i)%Z) -> (zsum n f <= zsum n g)%Z.
Proof.
  revert f g; induction n; intros f g H; [reflexivity|]. rewrite !zsum_S0.
  specialize (IHn (fun i => f (S i)) (fun i => g (S i)) ltac:(intros; apply H; lia)). specialize (H 0%nat ltac:(lia)). lia.
Qed.

Lemma fold_plus_perm (l l' : list Z) : Permutation l l' -> fold_right Z.add 0%Z l = fold_right Z.add 0%Z l'.
Proof. induction 1; simpl; lia. Qed.

Lemma map_nth_seq_id (l : list nat) d : map (fun i => nth i l d) (seq 0 (length l)) = l.
Proof.
  induction l as [|a l IH]; [reflexivity|]. simpl. rewrite <- seq_shift, map_map. simpl. rewrite IH. reflexivity.
Qed.

(** Reindexing a sum along a permutation [pi] of [0..n-1]. *)
Lemma zsum_perm n (pi : list nat) f :
  is_perm_of n pi = true -> zsum n (fun p => f (nth p pi 0%nat)) = zsum n f.
Proof.
  unfold is_perm_of. rewrite Bool.andb_true_iff, Nat.eqb_eq, forallb_forall. intros [Hl Hin].
  assert (HP : Permutation (seq 0 n) pi).
  { apply NoDup_Permutation_bis; [apply seq_NoDup| rewrite seq_length; lia|].
    intros p Hp. specialize (Hin p Hp). apply existsb_exists in Hin as (q & Hq & E).
    apply Nat.eqb_eq in E. subst. exact Hq. }
  unfold zsum. rewrite <- (map_map (fun p => nth p pi 0%nat) f), <- Hl, map_nth_seq_id, Hl.
  symmetry. apply fold_plus_perm, Permutation_map, HP.
Qed.

(** ** Small list facts *)
Lemma zleq_eq u v : zleq u v = true -> u = v.
Proof.
  revert v; induction u as [|a u IH]; intros [|b v] H; simpl in H; try discriminate; auto.
  apply andb_prop in H as [H1 H2]. apply Z.eqb_eq in H1. subst. f_equal. auto.
Qed.

Lemma all2_spec {A B} (f : A -> B -> bool) l1 l2 (da : A) (db : B) : all2 f l1 l2 = true ->
  length l1 = length l2 /\ forall i, (i < length l1)%nat -> f (nth i l1 da) (nth i l2 db) = true.
Proof.
  unfold all2. rewrite Bool.andb_true_iff, Nat.eqb_eq, forallb_forall. intros [Hl H]. split; auto.
  intros i Hi. specialize (H (nth i (combine l1 l2) (da, db))).
  rewrite combine_nth in H by exact Hl. apply H. rewrite <- combine_nth by exact Hl.
  apply nth_In. rewrite combine_length. lia.
Qed.

Lemma forallb_seq f n : forallb f (seq 0 n) = true -> forall i, (i < n)%nat -> f i = true.
Proof. rewrite forallb_forall. intros H i Hi. apply H, in_seq. lia. Qed.

Lemma nth_zero_row (r : list Z) i : forallb (Z.eqb 0) r = true -> nth i r 0%Z = 0%Z.
Proof.
  intro H. destruct (Nat.lt_ge_cases i (length r)) as [Hi|Hi]; [|apply nth_overflow; exact Hi].
  rewrite forallb_forall in H. symmetry. apply Z.eqb_eq, H, nth_In, Hi.
Qed.

Lemma nth_moved r m G z : length m = G -> (z < G)%nat -> nth z (moved r m) 0%Z = nth (nth z m 0%nat) r 0%Z.
Proof. intros Hm Hz. unfold moved. apply (nth_map_lt (fun z => nth z r 0%Z) m z 0%Z 0%nat). lia. Qed.

Lemma hidden_length a b : length (hidden a b) = Nat.min (length a) (length b).
Proof. unfold hidden. rewrite map_length, combine_length. reflexivity. Qed.

Lemma hidden_nth a b i : length a = length b -> (i < length a)%nat ->
  nth i (hidden a b) 0%Z = Z.max 0 (nth i a 0 + nth i b 0)%Z.
Proof.
  intros Hl Hi. unfold hidden. rewrite (nth_map_lt _ _ _ _ (0%Z, 0%Z)) by (rewrite combine_length; lia).
  rewrite combine_nth by exact Hl. reflexivity.
Qed.

Lemma nth_table {A} (f : nat -> A -> Z) (l : list A) G x n d :
  (x < G)%nat -> (n < length l)%nat -> nth n (nth x (map (fun x => map (f x) l) (seq 0 G)) []) 0%Z = f x (nth n l d).
Proof. intros Hx Hn. rewrite nth_map_seq' by exact Hx. apply nth_map_lt, Hn. Qed.

Lemma length_table {A B} (f : nat -> A -> B) (l : list A) G x :
  (x < G)%nat -> length (nth x (map (fun x => map (f x) l) (seq 0 G)) []) = length l.
Proof. intro Hx. rewrite nth_map_seq' by exact Hx. apply map_length. Qed.

Lemma zcol_length A j : length (zcol A j) = length A.
Proof. unfold zcol. apply map_length. Qed.

Lemma relu_lam (lam t : Z) : (0 <= lam)%Z -> Z.max 0 (lam * t) = (lam * Z.max 0 t)%Z.
Proof.
  intro H. destruct (Z.max_spec 0 (lam * t)) as [[? ->]|[? ->]]; destruct (Z.max_spec 0 t) as [[? ->]|[? ->]]; nia.
Qed.

(** ** The exact decomposition of the scaled logit (CHECKING.md 8.7) *)
Lemma decomp h P (hidf gf lam : nat -> Z) (pn : nat -> nat) (W KUf : nat -> nat -> Z) E1 E3 c :
  (forall n, (n < h)%nat -> (pn n < P)%nat) ->
  (E1 * E3 * zsum h (fun n => hidf n * W n c))%Z =
  (zsum P (fun p => KUf p c * gf p) + zsum h (fun n => (hidf n * E1 - lam n * gf (pn n)) * (W n c * E3))
   + zsum P (fun p => gf p * (zsum h (fun n => (if Nat.eqb (pn n) p then lam n else 0) * W n c) * E3 - KUf p c)))%Z.
Proof.
  intro Hpn.
  rewrite (zsum_ext h (fun n => (hidf n * E1 - lam n * gf (pn n)) * (W n c * E3))
                      (fun n => E1 * E3 * (hidf n * W n c) + (- E3) * (lam n * gf (pn n) * W n c)))%Z by (intros; ring).
  rewrite zsum_plus, !zsum_scal.
  rewrite (zsum_ext P (fun p => gf p * (zsum h (fun n => (if Nat.eqb (pn n) p then lam n else 0) * W n c) * E3 - KUf p c))
                      (fun p => E3 * zsum h (fun n => if Nat.eqb (pn n) p then lam n * gf p * W n c else 0)
                                  + (-1) * (KUf p c * gf p)))%Z.
  2: { intros p _. rewrite (zsum_ext h (fun n => if Nat.eqb (pn n) p then lam n * gf p * W n c else 0)
                                      (fun n => gf p * ((if Nat.eqb (pn n) p then lam n else 0) * W n c)))%Z
         by (intros n _; destruct (Nat.eqb (pn n) p); ring).
       rewrite zsum_scal. ring. }
  rewrite zsum_plus, !zsum_scal, zsum_swap.
  rewrite (zsum_ext h (fun n => zsum P (fun p => if Nat.eqb (pn n) p then lam n * gf p * W n c else 0))
                      (fun n => lam n * gf (pn n) * W n c))%Z by (intros n Hn; apply (zsum_sel P (pn n) (fun p => lam n * gf p * W n c))%Z, Hpn, Hn).
  ring.
Qed.

Lemma lowrank_bound (phi C XY rm : Z) : (Z.abs (C - XY) <= rm)%Z -> (phi * C <= phi * XY + Z.abs phi * rm)%Z.
Proof.
  intro H. destruct (Z.abs_spec phi) as [[H1 E1]|[H1 E1]]; destruct (Z.abs_spec (C - XY)) as [[H2 E2]|[H2 E2]];
  rewrite E1; rewrite E2 in H; nia.
Qed.

(** ** Soundness *)
Section Sound.
Variable M : model.
Variable H : rho_hints.
Let els := elements (grp M).
Let G := length els.
Let P := length (Lq H).
Let h := d_hidden M.
Let k := length (LY H).
Hypothesis Hsh : rho_shape_ok M H G = true.
Hypothesis Hgen : forallb (gen_ok els G H) (gens H) = true.
Hypothesis Hw : words_ok els G H = true.
Hypothesis Hlr : lowrank_ok M H G = true.

Lemma shape_all :
  shape_ok M G = true /\ rows_ok (Lq H) P G = true /\ rows_ok (Rq H) P G = true /\ rows_ok (KU H) P G = true /\
  length (nrn H) = h /\ (forall n, (n < h)%nat -> (fst (nth n (nrn H) (0%nat, 0%Z)) < P)%nat /\ (0 <= snd (nth n (nrn H) (0%nat, 0%Z)))%Z) /\
  rows_ok (LX H) (h + P) k = true /\ rows_ok (LY H) k G = true /\ length (rmax H) = (h + P)%nat.
Proof.
  unfold rho_shape_ok in Hsh. repeat rewrite Bool.andb_true_iff in Hsh.
  destruct Hsh as [[[[[[[[H1 H2] H3] H4] H5] H6] H7] H8] H9]. apply Nat.eqb_eq in H5. apply Nat.eqb_eq in H9.
  assert (Hn : forall n, (n < h)%nat -> (fst (nth n (nrn H) (0%nat, 0%Z)) < P)%nat /\ (0 <= snd (nth n (nrn H) (0%nat, 0%Z)))%Z).
  { intros n Hn. rewrite forallb_forall in H6.
    specialize (H6 (nth n (nrn H) (0%nat, 0%Z)) ltac:(apply nth_In; fold h; lia)).
    apply andb_prop in H6 as [Ha Hb]. split; [apply Nat.ltb_lt; exact Ha | apply Z.leb_le; exact Hb]. }
  tauto.
Qed.

Lemma gen_parts gpq : In gpq (gens H) -> gen_ok els G H gpq = true.
Proof. intro Hin. rewrite forallb_forall in Hgen. auto. Qed.

Lemma in_row (f : nat -> nat) t : (t < G)%nat -> forallb (fun t => Nat.ltb t G) (map f (seq 0 G)) = true -> (f t < G)%nat.
Proof.
  intros Ht Hf. rewrite forallb_forall in Hf. apply Nat.ltb_lt, Hf, in_map, in_seq. lia.
Qed.

Lemma gen_closed gpq t : In gpq (gens H) -> (t < G)%nat ->
  (mul_in els (fst (fst gpq)) t < G)%nat /\ (mul_in els t (fst (fst gpq)) < G)%nat.
Proof.
  intros Hin Ht. pose proof (gen_parts gpq Hin) as Hg. unfold gen_ok in Hg. repeat rewrite Bool.andb_true_iff in Hg.
  destruct Hg as [[[[[Hl Hr] _] _] _] _].
  split; [exact (in_row (mul_in els (fst (fst gpq))) t Ht Hl) | exact (in_row (fun t => mul_in els t (fst (fst gpq))) t Ht Hr)].
Qed.

(** Invariance of the ideal model under one checked row permutation. *)
Lemma ideal_moved mK mL mR pi x y z :
  length mK = G -> length mL = G -> length mR = G -> (x < G)%nat -> (y < G)%nat -> (z < G)%nat ->
  is_perm_of P pi = true -> forallb (row_ok H mK mL mR pi) (seq 0 P) = true ->
  ideal H (nth x mL 0%nat) (nth y mR 0%nat) (nth z mK 0%nat) = ideal H x y z.
Proof.
  intros HK HL HR Hx Hy Hz Hpi Hrows. unfold ideal. fold P.
  symmetry. rewrite <- (zsum_perm P pi) by exact Hpi. apply zsum_ext. intros p Hp.
  pose proof (forallb_seq _ _ Hrows p Hp) as Hc. unfold row_ok in Hc.
  apply andb_prop in Hc as [HKU HLR]. apply zleq_eq in HKU.
  unfold ent0. rewrite HKU, nth_moved with (G := G) by auto.
  apply Bool.orb_prop in HLR as [H0|HLR].
  - rewrite (nth_zero_row _ _ H0). ring.
  - apply andb_prop in HLR as [HLq HRq]. apply zleq_eq in HLq. apply zleq_eq in HRq.
    rewrite HLq, HRq, !nth_moved with (G := G) by auto. reflexivity.
Qed.

Lemma gen_left gpq x y z : In gpq (gens H) -> (x < G)%nat -> (y < G)%nat -> (z < G)%nat ->
  ideal H (mul_in els (fst (fst gpq)) x) y (mul_in els (fst (fst gpq)) z) = ideal H x y z.
Proof.
  intros Hin Hx Hy Hz. pose proof (gen_parts gpq Hin) as Hg. destruct gpq as [[g pi] sg]. cbn [fst snd] in *.
  unfold gen_ok in Hg. cbn [fst snd] in Hg. repeat rewrite Bool.andb_true_iff in Hg.
  destruct Hg as [[[[[_ _] Hpi] _] Hl] _]. fold P in Hpi, Hl.
  rewrite <- (ideal_moved (map (mul_in els g) (seq 0 G)) (map (mul_in els g) (seq 0 G)) (seq 0 G) pi x y z)
    by (rewrite ?map_length, ?seq_length; auto).
  rewrite !(nth_map_seq' (mul_in els g)), seq_nth by auto. reflexivity.
Qed.

Lemma gen_right gpq x y z : In gpq (gens H) -> (x < G)%nat -> (y < G)%nat -> (z < G)%nat ->
  ideal H x (mul_in els y (fst (fst gpq))) (mul_in els z (fst (fst gpq))) = ideal H x y z.
Proof.
  intros Hin Hx Hy Hz. pose proof (gen_parts gpq Hin) as Hg. destruct gpq as [[g pi] sg]. cbn [fst snd] in *.
  unfold gen_ok in Hg. cbn [fst snd] in Hg. repeat rewrite Bool.andb_true_iff in Hg.
  destruct Hg as [[[[[_ _] _] Hsg] _] Hr]. fold P in Hsg, Hr.
  rewrite <- (ideal_moved (map (fun t => mul_in els t g) (seq 0 G)) (seq 0 G) (map (fun t => mul_in els t g) (seq 0 G))
    sg x y z) by (rewrite ?map_length, ?seq_length; auto).
  rewrite !(nth_map_seq' (fun t => mul_in els t g)), seq_nth by auto. reflexivity.
Qed.

Lemma is_gen_in g : is_gen H g = true -> exists gpq, In gpq (gens H) /\ fst (fst gpq) = g.
Proof.
  unfold is_gen. intro E. apply existsb_exists in E as (gpq & Hin & E). apply Nat.eqb_eq in E. eauto.
Qed.

Lemma word_left w : forallb (is_gen H) w = true -> forall x y z, (x < G)%nat -> (y < G)%nat -> (z < G)%nat ->
  (actL els w z < G)%nat /\ ideal H (actL els w x) y (actL els w z) = ideal H x y z.
Proof.
  induction w as [|g w IH]; intros Hwg x y z Hx Hy Hz; [auto|]. cbn [forallb] in Hwg. apply andb_prop in Hwg as [Hg Hwg].
  destruct (is_gen_in g Hg) as (gpq & Hin & <-). cbn [actL].
  destruct (gen_closed gpq x Hin Hx) as [Hx' _]. destruct (gen_closed gpq z Hin Hz) as [Hz' _].
  destruct (IH Hwg _ y _ Hx' Hy Hz') as [H1 H2]. split; auto. rewrite H2. apply gen_left; auto.
Qed.

Lemma word_right w : forallb (is_gen H) w = true -> forall x y z, (x < G)%nat -> (y < G)%nat -> (z < G)%nat ->
  (actR els w z < G)%nat /\ ideal H x (actR els w y) (actR els w z) = ideal H x y z.
Proof.
  induction w as [|g w IH]; intros Hwg x y z Hx Hy Hz; [auto|]. cbn [forallb] in Hwg. apply andb_prop in Hwg as [Hg Hwg].
  destruct (is_gen_in g Hg) as (gpq & Hin & <-). cbn [actR].
  destruct (gen_closed gpq y Hin Hy) as [_ Hy']. destruct (gen_closed gpq z Hin Hz) as [_ Hz'].
  destruct (IH Hwg x _ _ Hx Hy' Hz') as [H1 H2]. split; auto. rewrite H2. apply gen_right; auto.
Qed.

(** The ideal model at [(x, y)] is the ideal model at [(0, 0)], classes moved by the words. *)
Lemma ideal_class x y j : (x < G)%nat -> (y < G)%nat -> (j < G)%nat ->
  let t := actL els (nth x (wordL H) []) j in
  (t < G)%nat /\ (actR els (nth y (wordR H) []) t < G)%nat /\
  ideal H x y j = ideal H 0 0 (actR els (nth y (wordR H) []) t).
Proof.
  intros Hx Hy Hj t. unfold words_ok in Hw. apply andb_prop in Hw as [HL HR].
  pose proof (forallb_seq _ _ HL x Hx) as Hlx. pose proof (forallb_seq _ _ HR y Hy) as Hry. cbv beta in Hlx, Hry.
  apply andb_prop in Hlx as [Hlx Ex]. apply andb_prop in Hry as [Hry Ey]. apply Nat.eqb_eq in Ex. apply Nat.eqb_eq in Ey.
  destruct (word_left _ Hlx x y j Hx Hy Hj) as [Ht E1]. fold t in Ht, E1. rewrite Ex in E1.
  destruct (word_right _ Hry 0%nat y t ltac:(lia) Hy Ht) as [Hu E2]. rewrite Ey in E2.
  split; [exact Ht|split; [exact Hu|]]. rewrite <- E1, <- E2. reflexivity.
Qed.

Let pc := precompute M H els G.
Let E1 := (2 ^ Z.of_nat (d1 H))%Z.
Let E3 := (2 ^ Z.of_nat (d3 H))%Z.
Let Ie := map (ideal H 0 0) (seq 0 G).

Lemma pc_A : pA pc = zmatmul (EL M) (WL M) h. Proof. reflexivity. Qed.
Lemma pc_B : pB pc = zmatmul (ER M) (WR M) h. Proof. reflexivity. Qed.
Lemma pc_Ai : pAi pc = map (fun x => map (fun nl => snd nl * ent0 (Lq H) (fst nl) x)%Z (nrn H)) (seq 0 G).
Proof. reflexivity. Qed.
Lemma pc_Bi : pBi pc = map (fun y => map (fun nl => snd nl * ent0 (Rq H) (fst nl) y)%Z (nrn H)) (seq 0 G).
Proof. reflexivity. Qed.
Lemma pc_LT : pLT pc = map (fun x => map (fun p => ent0 (Lq H) p x) (seq 0 P)) (seq 0 G). Proof. reflexivity. Qed.
Lemma pc_RT : pRT pc = map (fun y => map (fun p => ent0 (Rq H) p y) (seq 0 P)) (seq 0 G). Proof. reflexivity. Qed.
Lemma pc_XT : pXT pc = map (zcol (LX H)) (seq 0 k). Proof. reflexivity. Qed.
Lemma pc_YT : pYT pc = map (zcol (LY H)) (seq 0 G). Proof. reflexivity. Qed.
Lemma pc_WUT : pWUT pc = map (zcol (WU M)) (seq 0 G). Proof. reflexivity. Qed.
Lemma pc_b2 : pb2 pc = b2_of M G. Proof. reflexivity. Qed.
Lemma pc_bb : pbb pc = map (fun b => pE13 pc * b)%Z (b2_of M G). Proof. reflexivity. Qed.
Lemma pc_E1 : pE1 pc = E1. Proof. reflexivity. Qed.
Lemma pc_E13 : pE13 pc = (E1 * E3)%Z.
Proof. change (2 ^ Z.of_nat (d1 H + d3 H) = E1 * E3)%Z. unfold E1, E3. rewrite Nat2Z.inj_add. apply Z.pow_add_r; lia. Qed.
Lemma pc_LX : pLX pc = map (fun x => map (actL els (nth x (wordL H) [])) (seq 0 G)) (seq 0 G). Proof. reflexivity. Qed.
Lemma pc_IeR : pIeR pc = map (fun y => map (fun t => nth (actR els (nth y (wordR H) []) t) Ie 0%Z) (seq 0 G)) (seq 0 G).
Proof. reflexivity. Qed.
Lemma pc_rm : prm pc = rmax H. Proof. reflexivity. Qed.

Lemma E1_pos : (0 < E1)%Z. Proof. apply Z.pow_pos_nonneg; lia. Qed.
Lemma E3_pos : (0 < E3)%Z. Proof. apply Z.pow_pos_nonneg; lia. Qed.

Lemma zmatmul_row_length X Y c x : (x < length X)%nat -> length (nth x (zmatmul X Y c) []) = c.
Proof. intro Hx. unfold zmatmul. rewrite (nth_map_lt _ _ _ _ []) by exact Hx. rewrite !map_length. apply seq_length. Qed.

(** The coefficient rows and the low-rank check, entry by entry. *)
Lemma coef_neuron n c : (n < h)%nat -> (c < G)%nat -> ent0 (coef_rows M H G) n c = (ent0 (WU M) n c * E3)%Z.
Proof.
  intros Hn Hc. destruct shape_all as (Hs & _). destruct (shape_parts M Hs) as (_ & _ & _ & _ & HU).
  apply rows_ok_spec in HU as [HUl HUr]. unfold coef_rows, ent0. fold E3.
  rewrite app_nth1 by (rewrite map_length; fold h; lia).
  rewrite (nth_map_lt _ _ _ _ []) by (fold h; lia). rewrite (nth_map_lt _ _ _ _ 0%Z) by (rewrite HUr; auto). reflexivity.
Qed.

Definition pn (n : nat) : nat := fst (nth n (nrn H) (0%nat, 0%Z)).
Definition lam (n : nat) : Z := snd (nth n (nrn H) (0%nat, 0%Z)).

Lemma coef_pair p c : (p < P)%nat -> (c < G)%nat -> ent0 (coef_rows M H G) (h + p) c =
  (zsum h (fun n => (if Nat.eqb (pn n) p then lam n else 0) * ent0 (WU M) n c) * E3 - ent0 (KU H) p c)%Z.
Proof.
  intros Hp Hc. destruct shape_all as (Hs & _ & _ & HK & Hnrn & _). destruct (shape_parts M Hs) as (_ & _ & _ & _ & HU).
  apply rows_ok_spec in HU as [HUl HUr]. apply rows_ok_spec in HK as [HKl HKr].
  unfold coef_rows, ent0. fold E3.
  rewrite app_nth2 by (rewrite map_length; fold h; lia). rewrite map_length, HUl. fold h. replace (h + p - h)%nat with p by lia.
  rewrite nth_map_seq' by exact Hp.
  rewrite (nth_map_lt _ _ _ _ ([], 0%Z)) by (rewrite combine_length, map_length, seq_length, HKr; lia).
  rewrite combine_nth by (rewrite map_length, seq_length, HKr; auto). cbn [fst snd].
  rewrite nth_map_seq' by exact Hc. f_equal. f_equal.
  rewrite (zdot_zsum _ _ h) by (rewrite ?map_length, ?zcol_length; auto).
  apply zsum_ext. intros n Hn. rewrite nth_zcol. rewrite (nth_map_lt _ _ _ _ (0%nat, 0%Z)) by lia. reflexivity.
Qed.

Lemma lowrank_entry i c : (i < h + P)%nat -> (c < G)%nat ->
  (Z.abs (ent0 (coef_rows M H G) i c - zdot (nth i (LX H) []) (zcol (LY H) c)) <= nth i (rmax H) 0)%Z.
Proof.
  intros Hi Hc. destruct shape_all as (_ & _ & _ & _ & _ & _ & HX & _ & Hrm). apply rows_ok_spec in HX as [HXl _].
  unfold lowrank_ok in Hlr. destruct (all2_spec _ _ _ [] ([], 0%Z) Hlr) as [Hl Hrow].
  rewrite combine_length, HXl, Hrm, Nat.min_id in Hl.
  specialize (Hrow i ltac:(lia)). rewrite combine_nth in Hrow by lia. cbn beta in Hrow.
  destruct (all2_spec _ _ _ 0%Z [] Hrow) as [Hl2 Hent]. rewrite map_length, seq_length in Hl2.
  specialize (Hent c ltac:(lia)). cbn [fst snd] in Hent. rewrite nth_map_seq' in Hent by exact Hc.
  apply Z.leb_le in Hent. exact Hent.
Qed.

(** Everything about one pair [(x, y)] and one class [j]. *)
Lemma int_bound x y j : (x < G)%nat -> (y < G)%nat -> (j < G)%nat ->
  let hid := hidden (nth x (pA pc) []) (nth y (pB pc) []) in
  let phi := feats (pE1 pc) hid (hidden (nth x (pAi pc) []) (nth y (pBi pc) []))
                   (hidden (nth x (pLT pc) []) (nth y (pRT pc) [])) in
  let v := map (zdot (map (zdot phi) (pXT pc))) (pYT pc) in
  let rb := zdot (map Z.abs phi) (prm pc) in
  let ie := map (fun t => nth t (nth y (pIeR pc) []) 0%Z) (nth x (pLX pc) []) in
  (pE13 pc * (zdot hid (nth j (pWUT pc) []) + nth j (pb2 pc) 0) <= nth j (rhs_of ie (pbb pc) v) 0 + rb)%Z /\
  length (rhs_of ie (pbb pc) v) = G.
Proof.
  intros Hx Hy Hj hid phi v rb ie.
  destruct shape_all as (Hs & HL & HR & HK & Hnrn & Hpn & HX & HY & Hrm).
  destruct (shape_parts M Hs) as (HEL & HER & _ & _ & HU).
  apply rows_ok_spec in HEL as [HELl _]. apply rows_ok_spec in HER as [HERl _].
  apply rows_ok_spec in HU as [HUl HUr]. apply rows_ok_spec in HX as [HXl HXr]. apply rows_ok_spec in HY as [HYl HYr].
  change (length (elements (grp M))) with G in *. fold h in HUl, HUr.
  set (gi := hidden (nth x (pAi pc) []) (nth y (pBi pc) [])) in phi.
  set (gp := hidden (nth x (pLT pc) []) (nth y (pRT pc) [])) in phi.
  (* lengths *)
  assert (Lhid : length hid = h).
  { unfold hid. rewrite hidden_length, pc_A, pc_B, !zmatmul_row_length by lia. apply Nat.min_id. }
  assert (LAi : length (nth x (pAi pc) []) = h) by (rewrite pc_Ai, length_table; auto).
  assert (LBi : length (nth y (pBi pc) []) = h) by (rewrite pc_Bi, length_table; auto).
  assert (LLT : length (nth x (pLT pc) []) = P) by (rewrite pc_LT, length_table, seq_length; auto).
  assert (LRT : length (nth y (pRT pc) []) = P) by (rewrite pc_RT, length_table, seq_length; auto).
  assert (Lgi : length gi = h) by (unfold gi; rewrite hidden_length; lia).
  assert (Lgp : length gp = P) by (unfold gp; rewrite hidden_length; lia).
  assert (Lphi : length phi = (h + P)%nat).
  { unfold phi, feats. rewrite pc_E1, app_length, map_length, combine_length. lia. }
  (* entries of the features *)
  set (gf := fun p => nth p gp 0%Z).
  assert (Egp : forall p, (p < P)%nat -> gf p = Z.max 0 (ent0 (Lq H) p x + ent0 (Rq H) p y)).
  { intros p Hp. unfold gf, gp. rewrite hidden_nth by lia. rewrite pc_LT, pc_RT.
    rewrite !(nth_table _ _ G _ p 0%nat) by (rewrite ?seq_length; auto). rewrite seq_nth by exact Hp. reflexivity. }
  assert (Ephi1 : forall n, (n < h)%nat -> nth n phi 0%Z = (nth n hid 0 * E1 - lam n * gf (pn n))%Z).
  { intros n Hn. unfold phi, feats. rewrite pc_E1.
    rewrite app_nth1 by (rewrite map_length, combine_length; lia).
    rewrite (nth_map_lt _ _ _ _ (0%Z, 0%Z)) by (rewrite combine_length; lia).
    rewrite combine_nth by lia. cbn [fst snd]. f_equal. f_equal.
    unfold gi. rewrite hidden_nth by lia. rewrite pc_Ai, pc_Bi.
    rewrite !(nth_table _ _ G _ n (0%nat, 0%Z)) by lia.
    destruct (Hpn n Hn) as [Hp Hl]. rewrite Egp by exact Hp. unfold lam, pn.
    rewrite <- Z.mul_add_distr_l. apply relu_lam, Hl. }
  assert (Ephi2 : forall p, (p < P)%nat -> nth (h + p) phi 0%Z = gf p).
  { intros p Hp. unfold phi, feats. rewrite app_nth2 by (rewrite map_length, combine_length; lia).
    rewrite map_length, combine_length, Lhid, Lgi, Nat.min_id. replace (h + p - h)%nat with p by lia. reflexivity. }
  (* the exact decomposition *)
  pose proof (decomp h P (fun n => nth n hid 0%Z) gf lam pn (ent0 (WU M)) (ent0 (KU H)) E1 E3 j
                (fun n Hn => proj1 (Hpn n Hn))) as Edec.
  set (D := zsum (h + P) (fun i => nth i phi 0%Z * ent0 (coef_rows M H G) i j)%Z).
  assert (ED : D = (zsum h (fun n => (nth n hid 0 * E1 - lam n * gf (pn n)) * (ent0 (WU M) n j * E3))
                  + zsum P (fun p => gf p * (zsum h (fun n => (if Nat.eqb (pn n) p then lam n else 0) * ent0 (WU M) n j) * E3
                                             - ent0 (KU H) p j)))%Z).
  { unfold D. rewrite zsum_split. f_equal; apply zsum_ext.
    - intros n Hn. rewrite Ephi1, coef_neuron by auto. reflexivity.
    - intros p Hp. rewrite Ephi2, coef_pair by auto. reflexivity. }
  assert (EI : ideal H x y j = zsum P (fun p => ent0 (KU H) p j * gf p)%Z).
  { unfold ideal. fold P. apply zsum_ext. intros p Hp. rewrite Egp by exact Hp. reflexivity. }
  (* the logit of class j, scaled *)
  assert (EL : (pE13 pc * (zdot hid (nth j (pWUT pc) []) + nth j (pb2 pc) 0))%Z
               = (ideal H x y j + D + nth j (pbb pc) 0)%Z).
  { rewrite pc_bb, pc_b2, pc_WUT, pc_E13. unfold b2_of.
    rewrite (nth_map_lt _ _ _ _ 0%Z) by (rewrite map_length, seq_length; exact Hj).
    rewrite nth_map_seq' by exact Hj.
    rewrite (zdot_zsum _ _ h) by (rewrite ?zcol_length; auto).
    rewrite (zsum_ext h _ (fun n => nth n hid 0 * ent0 (WU M) n j))%Z by (intros; rewrite nth_zcol; reflexivity).
    rewrite Z.mul_add_distr_l, Edec, ED, EI. ring. }
  (* the low-rank bound *)
  assert (Lpx : length (map (zdot phi) (pXT pc)) = k) by (rewrite map_length, pc_XT, map_length, seq_length; reflexivity).
  assert (Ev : nth j v 0%Z = zsum (h + P) (fun i => nth i phi 0 * zdot (nth i (LX H) []) (zcol (LY H) j))%Z).
  { unfold v. rewrite (nth_map_lt _ _ _ _ []) by (rewrite pc_YT, map_length, seq_length; exact Hj).
    rewrite pc_YT, nth_map_seq' by exact Hj.
    rewrite (zdot_zsum _ _ k) by (rewrite ?zcol_length; auto).
    rewrite (zsum_ext (h + P) _ (fun i => zsum k (fun t => nth i phi 0 * (nth t (nth i (LX H) []) 0 * nth j (nth t (LY H) []) 0))))%Z.
    2: { intros i Hi. rewrite (zdot_zsum _ _ k) by (rewrite ?zcol_length; auto). rewrite <- zsum_scal.
         apply zsum_ext. intros t _. rewrite nth_zcol. reflexivity. }
    rewrite zsum_swap. apply zsum_ext. intros t Ht. rewrite nth_zcol.
    rewrite (nth_map_lt _ _ _ _ []) by (rewrite pc_XT, map_length, seq_length; exact Ht).
    rewrite pc_XT, nth_map_seq' by exact Ht.
    rewrite (zdot_zsum _ _ (h + P)) by (rewrite ?zcol_length; auto).
    rewrite Z.mul_comm, <- zsum_scal. apply zsum_ext. intros i _. rewrite nth_zcol. ring. }
  assert (Erb : rb = zsum (h + P) (fun i => Z.abs (nth i phi 0) * nth i (rmax H) 0)%Z).
  { unfold rb. rewrite pc_rm, (zdot_zsum _ _ (h + P)) by (rewrite ?map_length; auto).
    apply zsum_ext. intros i _. rewrite <- (map_nth Z.abs phi 0%Z i). reflexivity. }
  assert (HD : (D <= nth j v 0 + rb)%Z).
  { rewrite Ev, Erb, <- zsum_plus. apply zsum_le. intros i Hi. apply lowrank_bound, lowrank_entry; auto. }
  (* the ideal part *)
  assert (Eie : nth j ie 0%Z = ideal H x y j).
  { destruct (ideal_class x y j Hx Hy Hj) as (Ht & Hu & E). rewrite E. unfold ie.
    rewrite (nth_map_lt _ _ _ _ 0%nat) by (rewrite pc_LX, length_table, seq_length; auto).
    rewrite pc_LX, nth_map_seq' by exact Hx. rewrite nth_map_seq' by exact Hj.
    rewrite pc_IeR, nth_map_seq' by exact Hy. rewrite (nth_map_seq' (fun t => nth _ Ie 0%Z)) by exact Ht.
    unfold Ie. rewrite nth_map_seq' by exact Hu. reflexivity. }
  assert (Lie : length ie = G) by (unfold ie; rewrite map_length, pc_LX, length_table, seq_length; auto).
  assert (Lbb : length (pbb pc) = G) by (rewrite pc_bb; unfold b2_of; rewrite !map_length, seq_length; reflexivity).
  assert (Lv : length v = G) by (unfold v; rewrite map_length, pc_YT, map_length, seq_length; reflexivity).
  assert (Lrhs : length (rhs_of ie (pbb pc) v) = G) by (unfold rhs_of; rewrite map_length, !combine_length; lia).
  split; [|exact Lrhs].
  unfold rhs_of. rewrite (nth_map_lt _ _ _ _ ((0%Z, 0%Z), 0%Z)) by (rewrite !combine_length; lia).
  rewrite !combine_nth by (rewrite ?combine_length; lia). cbn [fst snd].
  rewrite EL, Eie. lia.
Qed.
End Sound.

Lemma logit_entry M c (hid : list Z) : (c < length (elements (grp M)))%nat ->
  nth c (map (fun wb => zdot hid (fst wb) + snd wb)%Z
              (combine (map (zcol (WU M)) (seq 0 (length (elements (grp M))))) (b2_of M (length (elements (grp M)))))) 0%Z
  = (zdot hid (zcol (WU M) c) + nth c (b2_of M (length (elements (grp M)))) 0)%Z.
Proof.
  intro Hc. unfold b2_of.
  rewrite (nth_map_lt _ _ _ _ ([], 0%Z)) by (rewrite combine_length, !map_length, seq_length; lia).
  rewrite combine_nth by (rewrite !map_length; reflexivity). cbn [fst snd]. rewrite nth_map_seq' by exact Hc. reflexivity.
Qed.

Theorem check_group_rho_sound M N H : check_group_rho M N H = true -> accuracy_at_least M N.
Proof.
  unfold check_group_rho. intro Hc. repeat rewrite Bool.andb_true_iff in Hc.
  destruct Hc as [[[[Hsh Hgen] Hw] Hlr] HN]. apply Z.leb_le in HN.
  set (els := elements (grp M)) in *. set (G := length els) in *.
  set (pc := precompute M H els G) in *.
  set (ok := ok_pair pc els G) in HN.
  exists (filter ok (list_prod (seq 0 G) (seq 0 G))). split; [|split; [|exact HN]].
  - apply NoDup_filter, NoDup_list_prod; apply seq_NoDup.
  - intros [x y] Hp. apply filter_In in Hp as [Hin Hok]. apply in_prod_iff in Hin as [Hx Hy].
    apply in_seq in Hx. apply in_seq in Hy. cbn [fst snd]. unfold order. fold els G.
    split; [lia|split; [lia|]].
    unfold ok, ok_pair in Hok. cbn [fst snd] in Hok. cbv zeta in Hok.
    apply andb_prop in Hok as [Hz Hb]. apply Nat.ltb_lt in Hz.
    unfold correct, order, gmul. fold els G. cbv zeta. intros j Hj Hjz.
    assert (Hx' : (x < G)%nat) by lia. assert (Hy' : (y < G)%nat) by lia.
    pose proof (int_bound M H Hsh Hgen Hw Hlr x y j Hx' Hy' Hj) as [IB Hl]. cbv zeta in IB, Hl.
    fold els G pc in IB, Hl.
    pose proof (beats_spec _ _ _ 0 Hb j) as Hlt. rewrite Hl in Hlt. specialize (Hlt Hj Hjz).
    assert (HE : (0 < pE13 pc)%Z) by (apply Z.pow_pos_nonneg; lia).
    rewrite (pc_A M H : pA pc = zmatmul (EL M) (WL M) (d_hidden M)), (pc_B M H : pB pc = zmatmul (ER M) (WR M) (d_hidden M)),
      (pc_WUT M H : pWUT pc = map (zcol (WU M)) (seq 0 G)), (pc_b2 M H : pb2 pc = b2_of M G) in IB, Hlt.
    rewrite (nth_map_seq' (zcol (WU M))) in IB, Hlt by lia.
    destruct (shape_all M H Hsh) as [Hs _].
    rewrite (logit_bridge M Hs x y j Hx' Hy' Hj), (logit_bridge M Hs x y (mul_in els x y) Hx' Hy' Hz).
    fold els G. change (map (fun c0 : nat => (nth c0 (bU M) 0 * (2 ^ Z.of_nat (s M) * 2 ^ Z.of_nat (s M)))%Z) (seq 0 G))
      with (b2_of M G).
    rewrite !logit_entry by assumption.
    apply Qmult_lt_compat_r; [apply Qmult_lt_0_compat; [apply Qmult_lt_0_compat|]; apply sc_pos|].
    rewrite <- Zlt_Qlt. change (length (elements (grp M))) with G.
    apply (Z.mul_lt_mono_pos_l (pE13 pc) _ _ HE). lia.
Qed.
