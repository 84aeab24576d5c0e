(** * Checker: the tables computed once (lists, then indexed), and the per-input soundness lemma
    shared by the brute-force and cubic strategies (CHECKING.md sections 2-5). *)
From Coq Require Import ZArith Reals List Lia Lra.
From Pybridge Require Import Spec ListUtil Tables Dyadic ExpBounds.
Import ListNotations.

Definition tabulate {A} (N : nat) (f : nat -> A) : list A := map f (seq 0 N).

Lemma nth_tabulate {A} N (f : nat -> A) i d : (i < N)%nat -> nth i (tabulate N f) d = f i.
Proof. apply nth_map_seq. Qed.

Lemma length_tabulate {A} N (f : nat -> A) : length (tabulate N f) = N.
Proof. unfold tabulate. rewrite map_length, seq_length. reflexivity. Qed.

Lemma nth_map_lt {A B} (f : A -> B) l i da db :
  (i < length l)%nat -> nth i (map f l) db = f (nth i l da).
Proof. intro H. rewrite nth_indep with (d' := f da) by (rewrite map_length; lia). apply map_nth. Qed.

(** Row vector times a matrix given by its list of columns (the transpose, computed once). *)
Definition transpose (A : list (list Z)) (c : nat) : list (list Z) := tabulate c (zcol A).
Definition vmT (u : list Z) (AT : list (list Z)) : list Z := map (zdot u) AT.

Lemma vmT_ok u A c : vmT u (transpose A c) = zvecmat u A c.
Proof. unfold vmT, transpose, tabulate, zvecmat. rewrite map_map. reflexivity. Qed.

(** The tables the checkers read: [EU[q][j]], [OV[tok][i][j]] (integers), and the dyadic weight
    enclosures [WLO[q][tok][i]], [WHI[q][tok][i]]. *)
Record tables := mk_tables {
  tEU : list (list Z); tOV : list (list (list Z));
  tWLO : list (list (list dyadic)); tWHI : list (list (list dyadic)) }.

Definition get2 (T : list (list Z)) a b : Z := nth b (nth a T []) 0%Z.
Definition get3 (T : list (list (list Z))) a b c : Z := nth c (nth b (nth a T []) []) 0%Z.
Definition getd3 (T : list (list (list dyadic))) a b c : dyadic := nth c (nth b (nth a T []) []) (0, 0)%Z.

(** Pieces of the computation, each a list computed once and then indexed. *)
Definition tab_X M := tabulate (V M) (fun tok => tabulate (n M) (fun i => Xz M tok i)).
(** [QK[q][tok][i] = Qv[q].(E[tok] WK) + Qv[q].(P[i] WK)] (distributivity; same integers). *)
Definition tab_QK M (X : list (list (list Z))) : list (list (list Z)) :=
  let WQt := transpose (WQ M) (h M) in let WKt := transpose (WK M) (h M) in
  let Q := map (fun row => vmT (nth (n M - 1) row []) WQt) X in
  let EK := tabulate (V M) (fun tok => vmT (nth tok (E M) []) WKt) in
  let PK := tabulate (n M) (fun i => vmT (nth i (Pos M) []) WKt) in
  map (fun qv => let pk := map (zdot qv) PK in
                 map (fun ek => let a := zdot qv ek in map (Z.add a) pk) EK) Q.
(** [OV[tok][i] = ((E[tok] WV) WO) WU + ((P[i] WV) WO) WU] (distributivity; same integers). *)
Definition tab_OV M : list (list (list Z)) :=
  let WVt := transpose (WV M) (h M) in let WOt := transpose (WO M) (d M) in
  let WUt := transpose (WU M) (V M) in
  let f x := vmT (vmT (vmT x WVt) WOt) WUt in
  let OVE := tabulate (V M) (fun tok => f (nth tok (E M) [])) in
  let OVP := tabulate (n M) (fun i => f (nth i (Pos M) [])) in
  map (fun a => map (zvadd a) OVP) OVE.
Definition tab_EU M (X : list (list (list Z))) : list (list Z) :=
  let WUt := transpose (WU M) (V M) in
  map (fun row => map (fun z => z * 2 ^ Z.of_nat (2 * s M))%Z (vmT (nth (n M - 1) row []) WUt)) X.
Definition tab_HI M P (QK : list (list (list Z))) : list (list (list Z)) :=
  map (map (map (hi_of (s M) (SLO P (h M)) (SHI P (h M))))) QK.
(** The shift [C[q]]: the largest [hi] over the (token, position) pairs an input with query [q] can
    have, i.e. every token at [i < n-1] and only [q] itself at the query position [n-1]. *)
Definition tab_C (V n : nat) (HI : list (list (list Z))) : list Z :=
  tabulate V (fun q => let r := nth q HI [] in
    zmax_list (concat (tabulate V (fun tok => let row := nth tok r [] in
      tabulate (if Nat.eqb tok q then n else n - 1) (fun i => nth i row 0%Z))))).
Definition tab_WLO M P k QK (Cs : list Z) :=
  tabulate (V M) (fun q => let C := nth q Cs 0%Z in
    map (map (fun z => EXPLO P k (lo_of (s M) (SLO P (h M)) (SHI P (h M)) z - C))) (nth q QK [])).
Definition tab_WHI M P k HI (Cs : list Z) :=
  tabulate (V M) (fun q => let C := nth q Cs 0%Z in
    map (map (fun hz => EXPHI P k (hz - C))) (nth q HI [])).

Definition compute_tables (M : model) (P k : nat) : tables :=
  let X := tab_X M in
  let QK := tab_QK M X in
  let HI := tab_HI M P QK in
  let Cs := tab_C (V M) (n M) HI in
  mk_tables (tab_EU M X) (tab_OV M) (tab_WLO M P k QK Cs) (tab_WHI M P k HI Cs).

(** Shapes of the embeddings: [E] is [V x d], [Pos] is [n x d]. *)
Definition shape_ok (M : model) : bool :=
  (length (E M) =? V M)%nat && forallb (fun r => length r =? d M)%nat (E M) &&
  (length (Pos M) =? n M)%nat && forallb (fun r => length r =? d M)%nat (Pos M).

Lemma shape_ok_spec M tok i : shape_ok M = true -> (tok < V M)%nat -> (i < n M)%nat ->
  length (nth tok (E M) []) = length (nth i (Pos M) []).
Proof.
  unfold shape_ok. intros H Htok Hi.
  apply andb_prop in H as [H HP]. apply andb_prop in H as [H HlP].
  apply andb_prop in H as [HlE HE]. apply Nat.eqb_eq in HlE, HlP.
  rewrite forallb_forall in HE, HP.
  specialize (HE (nth tok (E M) []) ltac:(apply nth_In; lia)).
  specialize (HP (nth i (Pos M) []) ltac:(apply nth_In; lia)).
  apply Nat.eqb_eq in HE, HP. congruence.
Qed.

(** Global conditions of CHECKING.md (ranges of [P], [k]; [n, h >= 1]; the scale check), and the
    shapes of [E] and [Pos]. *)
Definition basic_ok (M : model) (P k : nat) : bool :=
  shape_ok M && (1 <=? n M)%nat && (1 <=? h M)%nat && (16 <=? P)%nat && (P <=? 256)%nat &&
  (1 <=? k)%nat && (k <=? 64)%nat && scale_ok P (h M).

Lemma basic_ok_spec M P k : basic_ok M P k = true ->
  (1 <= n M)%nat /\ (0 < h M)%nat /\ scale_ok P (h M) = true /\ shape_ok M = true /\ (1 <= P)%nat.
Proof.
  intro H. assert (Hsh : shape_ok M = true)
    by (destruct (shape_ok M) eqn:E0; [reflexivity|unfold basic_ok in H; rewrite E0 in H; discriminate]).
  unfold basic_ok in H. repeat (apply andb_prop in H as [H ?]).
  repeat match goal with H : (_ <=? _)%nat = true |- _ => apply Nat.leb_le in H end.
  repeat split; auto; lia.
Qed.

(** ** What the tables contain *)
Section TablesSpec.
Variables (M : model) (P k : nat).
Hypothesis Hn : (1 <= n M)%nat.
Hypothesis Hshape : shape_ok M = true.
Let T := compute_tables M P k.

Lemma X_spec tok : (tok < V M)%nat -> nth tok (tab_X M) [] = tabulate (n M) (Xz M tok).
Proof. intros. unfold tab_X. rewrite !nth_tabulate by auto. reflexivity. Qed.

Lemma length_X : length (tab_X M) = V M.
Proof. apply length_tabulate. Qed.

Lemma EU_spec q : (q < V M)%nat -> nth q (tEU T) [] = EUz M q.
Proof.
  intro Hq. unfold T, compute_tables, tab_EU; simpl.
  rewrite (nth_map_lt _ _ _ []) by (rewrite length_X; auto).
  rewrite X_spec by auto. unfold EUz. rewrite nth_tabulate by lia.
  rewrite vmT_ok. reflexivity.
Qed.

Lemma OV_spec tok i : (tok < V M)%nat -> (i < n M)%nat -> nth i (nth tok (tOV T) []) [] = OVz M tok i.
Proof.
  intros Htok Hi. unfold T, compute_tables, tab_OV; simpl.
  rewrite (nth_map_lt _ _ _ []) by (rewrite length_tabulate; auto).
  rewrite nth_tabulate by auto.
  rewrite (nth_map_lt _ _ _ []) by (rewrite length_tabulate; auto).
  rewrite nth_tabulate by auto. unfold OVz, Xz. rewrite !vmT_ok.
  rewrite zvecmat_vadd by (apply shape_ok_spec; auto).
  rewrite zvecmat_vadd by (rewrite !length_zvecmat; auto).
  rewrite zvecmat_vadd by (rewrite !length_zvecmat; auto). reflexivity.
Qed.

Lemma QK_spec q : (q < V M)%nat ->
  nth q (tab_QK M (tab_X M)) [] = tabulate (V M) (fun tok => tabulate (n M) (fun i => QKz M q tok i)).
Proof.
  intros Hq. unfold tab_QK.
  rewrite (nth_map_lt _ _ _ []) by (rewrite map_length, length_X; auto).
  rewrite (nth_map_lt _ _ _ []) by (rewrite length_X; auto).
  rewrite X_spec by auto. rewrite nth_tabulate by lia. rewrite vmT_ok. fold (Qz M q).
  unfold tabulate. rewrite !map_map. apply map_ext_in. intros tok Htok. apply in_seq in Htok.
  rewrite !map_map. apply map_ext_in. intros i Hi. apply in_seq in Hi.
  unfold QKz, Kz, Xz. rewrite !vmT_ok.
  rewrite zvecmat_vadd by (apply shape_ok_spec; [exact Hshape|lia|lia]).
  rewrite zdot_vadd_r by (rewrite !length_zvecmat; auto). reflexivity.
Qed.

Let slo := SLO P (h M).
Let shi := SHI P (h M).

(** The weight tables: one shift [C] per query, above every [hi] an input with query [q] can meet
    (any token before the query position, [q] itself at it), and the enclosures of §3. *)
Lemma W_spec q : (q < V M)%nat -> exists C : Z,
  (forall tok i, (tok < V M)%nat -> (i < n M)%nat -> (i < n M - 1 \/ tok = q)%nat ->
     (hi_of (s M) slo shi (QKz M q tok i) <= C)%Z) /\
  (forall tok i, (tok < V M)%nat -> (i < n M)%nat ->
     getd3 (tWLO T) q tok i = EXPLO P k (lo_of (s M) slo shi (QKz M q tok i) - C) /\
     getd3 (tWHI T) q tok i = EXPHI P k (hi_of (s M) slo shi (QKz M q tok i) - C)).
Proof.
  intros Hq. set (HI := tab_HI M P (tab_QK M (tab_X M))).
  assert (HHI : nth q HI [] = tabulate (V M) (fun tok => tabulate (n M)
                  (fun i => hi_of (s M) slo shi (QKz M q tok i)))).
  { unfold HI, tab_HI. rewrite (nth_map_lt _ _ _ []).
    2: { unfold tab_QK. rewrite !map_length, length_X. auto. }
    rewrite QK_spec by auto. unfold tabulate. rewrite !map_map. apply map_ext. intro tok.
    rewrite !map_map. reflexivity. }
  exists (nth q (tab_C (V M) (n M) HI) 0%Z). split.
  - intros tok i Htok Hi Hvalid. unfold tab_C. rewrite nth_tabulate by exact Hq.
    apply zmax_list_ge. rewrite HHI. apply in_concat.
    set (row := nth tok (tabulate (V M) (fun tok => tabulate (n M) (fun i => hi_of (s M) slo shi (QKz M q tok i)))) []).
    exists (tabulate (if Nat.eqb tok q then n M else n M - 1) (fun i => nth i row 0%Z)). split.
    + apply in_map_iff. exists tok. split; [reflexivity|]. apply in_seq. lia.
    + assert (Hrow : nth i row 0%Z = hi_of (s M) slo shi (QKz M q tok i))
        by (unfold row; rewrite !nth_tabulate by auto; reflexivity).
      apply in_map_iff. exists i. split; [exact Hrow|]. apply in_seq.
      destruct (Nat.eqb_spec tok q); lia.
  - intros tok i Htok Hi. unfold T, compute_tables, getd3; simpl. fold HI. unfold tab_WLO, tab_WHI.
    rewrite !nth_tabulate by auto. rewrite QK_spec, HHI by auto. split.
    + rewrite (nth_map_lt _ _ _ []) by (rewrite length_tabulate; auto). rewrite nth_tabulate by auto.
      rewrite (nth_map_lt _ _ _ 0%Z) by (rewrite length_tabulate; auto). rewrite nth_tabulate by auto.
      reflexivity.
    + rewrite (nth_map_lt _ _ _ []) by (rewrite length_tabulate; auto). rewrite nth_tabulate by auto.
      rewrite (nth_map_lt _ _ _ 0%Z) by (rewrite length_tabulate; auto). rewrite nth_tabulate by auto.
      reflexivity.
Qed.
End TablesSpec.

(** ** The margin argument (CHECKING.md §5) *)
Local Open Scope R_scope.

(** Because the attention weights sum to one, [logit_m - logit_j] is a positive multiple of
    [sum_i w_i D_i(j)] for any common shift [c] of the scores. *)
Lemma margin_algebra n (sc : nat -> R) c EUm EUj (OVm OVj : nat -> R) U :
  (1 <= n)%nat -> 0 < U ->
  0 < Rsum n (fun i => exp (sc i - c) * ((EUm - EUj) + (OVm i - OVj i))) ->
  EUj * U + Rsum n (fun i => exp (sc i) / Rsum n (fun k => exp (sc k)) * (OVj i * U)) <
  EUm * U + Rsum n (fun i => exp (sc i) / Rsum n (fun k => exp (sc k)) * (OVm i * U)).
Proof.
  intros Hn HU H.
  set (Zs := Rsum n (fun k => exp (sc k))).
  assert (HZ : 0 < Zs) by (apply Rsum_pos; auto; intros; apply exp_pos).
  assert (Hexp : forall i, exp (sc i) = exp (sc i - c) * exp c)
    by (intro; rewrite <- exp_plus; f_equal; ring).
  assert (H1 : Rsum n (fun i => exp (sc i) / Zs) = 1).
  { unfold Rdiv. rewrite (Rsum_ext n _ (fun i => / Zs * exp (sc i))) by (intros; ring).
    rewrite Rsum_scal. fold Zs. field. lra. }
  set (S := Rsum n (fun i => exp (sc i - c) * ((EUm - EUj) + (OVm i - OVj i)))) in *.
  assert (E : EUm * U + Rsum n (fun i => exp (sc i) / Zs * (OVm i * U))
              - (EUj * U + Rsum n (fun i => exp (sc i) / Zs * (OVj i * U))) = U / Zs * exp c * S).
  { unfold S. rewrite <- Rsum_scal.
    rewrite (Rsum_ext n (fun i => U / Zs * exp c * (exp (sc i - c) * (EUm - EUj + (OVm i - OVj i))))
                        (fun i => ((EUm - EUj) * U) * (exp (sc i) / Zs)
               + (exp (sc i) / Zs * (OVm i * U) - exp (sc i) / Zs * (OVj i * U))))
      by (intros; cbv beta; rewrite Hexp; field; lra).
    rewrite Rsum_plus, Rsum_minus, Rsum_scal, H1. ring. }
  assert (0 < U / Zs * exp c * S).
  { apply Rmult_lt_0_compat; auto. apply Rmult_lt_0_compat; [|apply exp_pos].
    apply Rdiv_lt_0_compat; auto. }
  lra.
Qed.

(** Per-position logit difference [D_i(j)] read from the tables. *)
Definition Dz (T : tables) (q tok i m j : nat) : Z :=
  ((get2 (tEU T) q m - get2 (tEU T) q j) + (get3 (tOV T) tok i m - get3 (tOV T) tok i j))%Z.

(** Soundness of one input: if for every wrong logit [j] there are reals [T_i] with positive sum
    and [T_i <= D_i(j) * w] for every [w] in the weight enclosure [[WLO, WHI]] of position [i], then
    the model is correct on [t]. *)
Theorem key_correct M P k t :
  basic_ok M P k = true -> valid M t ->
  let T := compute_tables M P k in let q := nth (n M - 1) t 0%nat in
  (forall j, (j < V M)%nat -> j <> list_max t ->
     exists Tm : nat -> R, 0 < Rsum (n M) Tm /\
       forall i, (i < n M)%nat -> forall w : R,
         dval (getd3 (tWLO T) q (nth i t 0%nat) i) <= w <= dval (getd3 (tWHI T) q (nth i t 0%nat) i) ->
         Tm i <= IZR (Dz T q (nth i t 0%nat) i (list_max t) j) * w) ->
  correct M t.
Proof.
  intros Hok [Hlen Hval] T q H j Hj Hjm.
  destruct (basic_ok_spec _ _ _ Hok) as (Hn & Hh & Hsc & Hshape & HP).
  assert (Hq : (q < V M)%nat) by (apply Hval, nth_In; lia).
  assert (Hti : forall i, (i < n M)%nat -> (nth i t 0 < V M)%nat) by (intros; apply Hval, nth_In; lia).
  assert (Hm : (list_max t < V M)%nat)
    by (apply Hval, In_list_max; intro E0; subst; simpl in Hlen; lia).
  destruct (H j Hj Hjm) as (Tm & Hpos & HT).
  destruct (W_spec M P k Hn Hshape q Hq) as (C & HC & HW).
  set (c := IZR C / 2 ^ P).
  rewrite !logit_tables by auto. unfold attn.
  apply (margin_algebra (n M) (score M t) c _ _ _ _ (U4 M) Hn).
  - unfold U4. apply Rinv_0_lt_compat, pow_lt; lra.
  - apply Rlt_le_trans with (Rsum (n M) Tm); [exact Hpos|].
    apply Rsum_le. intros i Hi.
    specialize (HW (nth i t 0%nat) i (Hti i Hi) Hi) as [HWlo HWhi].
    assert (Hqi : (i < n M - 1 \/ nth i t 0%nat = q)%nat)
      by (destruct (Nat.eq_dec i (n M - 1)) as [->|]; [right; reflexivity|left; lia]).
    pose proof (weight_bounds P k (s M) (h M) (QKz M q (nth i t 0%nat) i) C HP Hh Hsc
                  (HC _ _ (Hti i Hi) Hi Hqi)) as [B1 B2].
    specialize (HT i Hi (exp (score M t i - c))).
    rewrite score_QK in HT. fold q in HT. unfold U4 in HT. unfold T in HT.
    rewrite HWlo, HWhi in HT. specialize (HT (conj B1 B2)).
    eapply Rle_trans; [exact HT|]. right.
    unfold Dz, get2, get3, T. rewrite !EU_spec, !OV_spec by auto.
    rewrite !plus_IZR, !minus_IZR. fold q. rewrite score_QK. fold q. unfold U4. ring.
Qed.

Lemma WLO_nonneg M P k q tok i : basic_ok M P k = true -> (q < V M)%nat -> (tok < V M)%nat ->
  (i < n M)%nat -> (0 <= fst (getd3 (tWLO (compute_tables M P k)) q tok i))%Z.
Proof.
  intros Hok Hq Htok Hi. destruct (basic_ok_spec _ _ _ Hok) as (Hn & _ & _ & Hshape & _).
  destruct (W_spec M P k Hn Hshape q Hq) as (C & _ & HW).
  rewrite (proj1 (HW tok i Htok Hi)). apply EXPLO_nonneg.
Qed.
