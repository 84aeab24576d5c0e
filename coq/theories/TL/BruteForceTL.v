(** * BruteForceTL: the brute-force checker for [SpecTL] models (biases, LayerNorm), CHECKING.md 5c.

    Every input is evaluated in interval arithmetic on the grid [2^-F] ([IntervalTL]).  The work
    that depends on one (token, position) only is a table computed once: [ln1], query, key, value,
    and, through the identity of [FoldTL], the centred value-path vectors [Co = ipost(v W_O)] and
    their products [GO_j = sum_k Co_k w_k U_kj] with the unembedding (likewise [Cx], [GX] for the
    query's [x + b_O]).  Per input: scores, the attention weights (EXPLO / EXPHI of [ExpBounds]
    with [F] bits and [k] squarings, aligned to a common exponent,
    [a_i in [wl_i / (wl_i + sum_{l<>i} wh_l), wh_i / (wh_i + sum_{l<>i} wl_l)]]), the centred residual
    [Cx + sum_i a_i Co_i], its variance and [rho = 1/sqrt(var + eps)] (integer square root, checked
    by squaring), and [logit_j = rho (GX_j + sum_i a_i GO_ij) + BB_j].  An input counts iff
    [hi(logit_j) < lo(logit_max)] for every [j <> max].  [check_bf_tl_sound] is proven once. *)
From Coq Require Import ZArith Reals List Lia Lra Bool.
From Pybridge Require Import ListUtil Dyadic ExpBounds Checker BruteForce IntervalTL SpecTL FoldTL.
From Pybridge Require Spec.
Import ListNotations.

Local Open Scope Z_scope.
Local Open Scope bool_scope.

Definition inth (l : list itv) (k : nat) : itv := nth k l (0, 0).
Record row := mk_row { rok : bool; rq : list itv; rk : list itv; rv : list itv }.
Definition dflt_row : row := mk_row false [] [] [].

Section Check.
Variables (M : tlmodel) (F kk : nat).

Definition iwt (z : Z) : itv := iw F (s M) z.
(** [u A] for an interval vector [u] of dimension [m]; [u A + b]. *)
Definition ivecmat (m : nat) (u : list itv) (A : list (list Z)) (c : nat) : list itv :=
  tabulate c (fun j => isum m (fun k => iscale (s M) (inth u k) (nth j (nth k A []) 0))).
Definition iaff (m : nat) (u : list itv) (A : list (list Z)) (b : list Z) (c : nat) : list itv :=
  let p := ivecmat m u A c in tabulate c (fun j => iadd (inth p j) (iwt (nth j b 0))).

(** LayerNorm of an interval [d]-vector; the flag is the integer check of [1/sqrt]. *)
Definition ilayernorm (u : list itv) (w b : list Z) : bool * list itv :=
  let dd := d M in
  let mu := idiv (isum dd (inth u)) (Z.of_nat dd) in
  let cs := tabulate dd (fun k => isub (inth u k) mu) in
  let var := idiv (isum dd (fun l => isq F (inth cs l))) (Z.of_nat dd) in
  let rho := iinvsqrt F var (eps_num M) (eps_den M) in
  (isqrt_ok F var (eps_num M) (eps_den M),
   tabulate dd (fun k => iadd (iscale (s M) (imul F (inth cs k) rho) (nth k w 0)) (iwt (nth k b 0)))).

Definition ix (tok i : nat) : list itv :=
  tabulate (d M) (fun k => iadd (iwt (nth k (nth tok (E M) []) 0)) (iwt (nth k (nth i (Pos M) []) 0))).

Definition mkrow (tok i : nat) : row :=
  let xr := ix tok i in
  let '(ok, yv) := if ln M then ilayernorm xr (ln1w M) (ln1b M) else (true, xr) in
  mk_row ok (iaff (d M) yv (WQ M) (bQ M) (h M)) (iaff (d M) yv (WK M) (bK M) (h M))
            (iaff (d M) yv (WV M) (bV M) (h M)).

(** Attention weight of one position from the aligned enclosures (fallbacks 0 and 1 are sound). *)
Definition attn_itv (wl wh tl th : Z) : itv :=
  let dl := wl + (th - wh) in let dh := wh + (tl - wl) in
  (if 0 <? dl then (wl * 2 ^ Z.of_nat F) / dl else 0,
   if 0 <? dh then cdiv (wh * 2 ^ Z.of_nat F) dh else 2 ^ Z.of_nat F).

Definition basic_ok_tl : bool :=
  (1 <=? n M)%nat && (1 <=? h M)%nat && (1 <=? d M)%nat && (1 <=? F)%nat && (s M <=? F)%nat &&
  scale_ok F (h M) && (0 <? eps_num M) && (0 <? eps_den M).

End Check.

(** ** Soundness *)
Local Open Scope R_scope.

Lemma inth_tab c (f : nat -> itv) j : (j < c)%nat -> inth (tabulate c f) j = f j.
Proof. intro H. unfold inth. apply nth_tabulate, H. Qed.

Lemma Rsum_nonneg m f : (forall l, (l < m)%nat -> 0 <= f l) -> 0 <= Spec.Rsum m f.
Proof.
  induction m as [|m IH]; intro H; [unfold Spec.Rsum; simpl; lra|].
  rewrite Rsum_S. assert (0 <= f m) by (apply H; lia). assert (0 <= Spec.Rsum m f) by (apply IH; intros; apply H; lia). lra.
Qed.

Lemma Rsum_ge_term m f i : (forall l, (l < m)%nat -> 0 <= f l) -> (i < m)%nat -> f i <= Spec.Rsum m f.
Proof.
  induction m as [|m IH]; intros H Hi; [lia|]. rewrite Rsum_S.
  assert (0 <= f m) by (apply H; lia).
  destruct (Nat.eq_dec i m) as [->|Hne].
  - assert (0 <= Spec.Rsum m f) by (apply Rsum_nonneg; intros; apply H; lia). lra.
  - assert (f i <= Spec.Rsum m f) by (apply IH; [intros; apply H; lia|lia]). lra.
Qed.

Section Sound.
Variables (M : tlmodel) (F kk : nat).
Hypothesis HsF : (s M <= F)%nat.

Lemma enc_iwt z : enc F (iwt M F z) (wt M z).
Proof. apply enc_iw, HsF. Qed.

Lemma enc_ivecmat m u (ur : nat -> R) A c j :
  (forall k, (k < m)%nat -> enc F (inth u k) (ur k)) -> (j < c)%nat ->
  enc F (inth (ivecmat M m u A c) j) (SpecTL.vecmat M m ur A j).
Proof.
  intros H Hj. unfold ivecmat. rewrite inth_tab by exact Hj. unfold SpecTL.vecmat.
  apply enc_isum. intros k Hk. unfold ent, wt. apply enc_iscale, H, Hk.
Qed.

Lemma enc_iaff m u (ur : nat -> R) A b c j :
  (forall k, (k < m)%nat -> enc F (inth u k) (ur k)) -> (j < c)%nat ->
  enc F (inth (iaff M F m u A b c) j) (SpecTL.vecmat M m ur A j + vent M b j).
Proof.
  intros H Hj. unfold iaff. cbv zeta. rewrite inth_tab by exact Hj.
  apply enc_iadd; [apply enc_ivecmat; auto|apply enc_iwt].
Qed.

Hypothesis Hd : (1 <= d M)%nat.

Lemma enc_ilayernorm u (ur : nat -> R) w b :
  (forall k, (k < d M)%nat -> enc F (inth u k) (ur k)) -> fst (ilayernorm M F u w b) = true ->
  forall k, (k < d M)%nat -> enc F (inth (snd (ilayernorm M F u w b)) k) (layernorm M ur w b k).
Proof.
  intros H Hok k Hk. unfold ilayernorm, layernorm in *. cbv zeta in *. cbn [fst snd] in *.
  rewrite inth_tab by exact Hk.
  assert (HdZ : (0 < Z.of_nat (d M))%Z) by lia.
  assert (HdR : INR (d M) = IZR (Z.of_nat (d M))) by apply INR_IZR_INZ.
  set (mu := Spec.Rsum (d M) ur / INR (d M)).
  assert (Hmu : enc F (idiv (isum (d M) (inth u)) (Z.of_nat (d M))) mu).
  { unfold mu. rewrite HdR. apply enc_idiv; auto. apply enc_isum. exact H. }
  set (mi := idiv (isum (d M) (inth u)) (Z.of_nat (d M))) in *.
  assert (Hc : forall l, (l < d M)%nat ->
            enc F (inth (tabulate (d M) (fun k0 => isub (inth u k0) mi)) l) (ur l - mu)).
  { intros l Hl. rewrite inth_tab by exact Hl. apply enc_isub; auto. }
  set (var := Spec.Rsum (d M) (fun l => (ur l - mu) * (ur l - mu)) / INR (d M)).
  set (cs := tabulate (d M) (fun k0 => isub (inth u k0) mi)) in *.
  assert (Hvar : enc F (idiv (isum (d M) (fun l => isq F (inth cs l))) (Z.of_nat (d M))) var).
  { unfold var. rewrite HdR. apply enc_idiv; auto. apply enc_isum. intros l Hl. apply enc_isq, Hc, Hl. }
  assert (Hv0 : 0 <= var).
  { unfold var. apply div_nonneg; [|rewrite HdR; apply IZR_lt; exact HdZ].
    apply Rsum_nonneg. intros. apply Rle_0_sqr. }
  pose proof (enc_iinvsqrt F _ var (eps_num M) (eps_den M) Hok Hvar Hv0) as Hr.
  unfold eps. unfold Rdiv at 1.
  apply enc_iadd; [|apply enc_iwt]. unfold vent, wt. apply enc_iscale. apply enc_imul; auto.
Qed.

Variable t : list nat.
Hypothesis Hv : valid M t.

Lemma enc_ix i k : (k < d M)%nat -> enc F (inth (ix M F (nth i t 0%nat) i) k) (x M t i k).
Proof.
  intro Hk. unfold ix. rewrite inth_tab by exact Hk. unfold x, ent. apply enc_iadd; apply enc_iwt.
Qed.

Lemma enc_row i : (i < n M)%nat -> rok (mkrow M F (nth i t 0%nat) i) = true ->
  (forall j, (j < h M)%nat -> enc F (inth (rq (mkrow M F (nth i t 0%nat) i)) j)
                                   (vecmat M (d M) (y M t i) (WQ M) j + vent M (bQ M) j)) /\
  (forall j, (j < h M)%nat -> enc F (inth (rk (mkrow M F (nth i t 0%nat) i)) j) (kv M t i j)) /\
  (forall j, (j < h M)%nat -> enc F (inth (rv (mkrow M F (nth i t 0%nat) i)) j) (vv M t i j)).
Proof.
  intros Hi Hok.
  assert (Hy : forall (yi : list itv) ok, (ok = true -> forall k, (k < d M)%nat -> enc F (inth yi k) (y M t i k)) ->
     mkrow M F (nth i t 0%nat) i = mk_row ok (iaff M F (d M) yi (WQ M) (bQ M) (h M))
        (iaff M F (d M) yi (WK M) (bK M) (h M)) (iaff M F (d M) yi (WV M) (bV M) (h M)) ->
     (forall j, (j < h M)%nat -> enc F (inth (rq (mkrow M F (nth i t 0%nat) i)) j)
                                   (vecmat M (d M) (y M t i) (WQ M) j + vent M (bQ M) j)) /\
     (forall j, (j < h M)%nat -> enc F (inth (rk (mkrow M F (nth i t 0%nat) i)) j) (kv M t i j)) /\
     (forall j, (j < h M)%nat -> enc F (inth (rv (mkrow M F (nth i t 0%nat) i)) j) (vv M t i j))).
  { intros yi ok Hyi Er. rewrite Er in Hok |- *. cbn [rok rq rk rv] in *. specialize (Hyi Hok).
    unfold kv, vv. split; [|split]; intro jj; intro Hjj; apply enc_iaff; auto. }
  unfold mkrow in *. destruct (ln M) eqn:Eln.
  - destruct (ilayernorm M F (ix M F (nth i t 0%nat) i) (ln1w M) (ln1b M)) as [ok yv] eqn:El.
    apply (Hy yv ok); [|reflexivity]. intros Hok' k Hk. unfold y. rewrite Eln.
    replace yv with (snd (ilayernorm M F (ix M F (nth i t 0%nat) i) (ln1w M) (ln1b M))) by (rewrite El; reflexivity).
    apply enc_ilayernorm; auto; [intros; apply enc_ix; auto|rewrite El; exact Hok'].
  - apply (Hy (ix M F (nth i t 0%nat) i) true); [|reflexivity]. intros _ k Hk. unfold y. rewrite Eln.
    apply enc_ix, Hk.
Qed.
End Sound.

(** ** The attention weights *)
Lemma ratio_lower a b a0 b0 : 0 <= a0 <= a -> 0 <= b <= b0 -> 0 < a0 + b0 -> 0 < a + b ->
  a0 / (a0 + b0) <= a / (a + b).
Proof.
  intros [H1 H2] [H3 H4] H5 H6.
  apply Rmult_le_reg_r with ((a0 + b0) * (a + b)); [nra|].
  replace (a0 / (a0 + b0) * ((a0 + b0) * (a + b))) with (a0 * (a + b)) by (field; lra).
  replace (a / (a + b) * ((a0 + b0) * (a + b))) with (a * (a0 + b0)) by (field; lra). nra.
Qed.

Lemma ratio_upper a b a1 b1 : 0 <= a <= a1 -> 0 <= b1 <= b -> 0 < a1 + b1 -> 0 < a + b ->
  a / (a + b) <= a1 / (a1 + b1).
Proof.
  intros [H1 H2] [H3 H4] H5 H6.
  apply Rmult_le_reg_r with ((a1 + b1) * (a + b)); [nra|].
  replace (a1 / (a1 + b1) * ((a1 + b1) * (a + b))) with (a1 * (a + b)) by (field; lra).
  replace (a / (a + b) * ((a1 + b1) * (a + b))) with (a * (a1 + b1)) by (field; lra). nra.
Qed.

Lemma attn_itv_sound F nn (sc : nat -> R) c (WL WH : nat -> Z) U i :
  (i < nn)%nat -> 0 < U ->
  (forall l, (l < nn)%nat -> (0 <= WL l)%Z /\ IZR (WL l) * U <= exp (sc l - c) <= IZR (WH l) * U) ->
  enc F (attn_itv F (WL i) (WH i) (Zsum nn WL) (Zsum nn WH))
        (exp (sc i) / Spec.Rsum nn (fun l => exp (sc l))).
Proof.
  intros Hi HU H.
  set (w := fun l => exp (sc l - c)).
  assert (Hw : forall l, 0 < w l) by (intro; apply exp_pos).
  assert (Hshift : exp (sc i) / Spec.Rsum nn (fun l => exp (sc l)) = w i / Spec.Rsum nn w).
  { assert (Hx : forall l, exp (sc l) = w l * exp c) by (intro; unfold w; rewrite <- exp_plus; f_equal; ring).
    rewrite (Rsum_ext nn _ (fun l => exp c * w l)) by (intros; rewrite Hx; ring).
    rewrite Rsum_scal, Hx. assert (0 < Spec.Rsum nn w) by (apply Rsum_pos; [lia|auto]).
    pose proof (exp_pos c). field. lra. }
  rewrite Hshift.
  set (S := Spec.Rsum nn w). assert (HS : 0 < S) by (apply Rsum_pos; [lia|auto]).
  set (a := w i). set (b := S - a).
  assert (Hab : S = a + b) by (unfold b; ring).
  rewrite Hab. assert (Ha : 0 < a) by apply Hw.
  set (TL := Spec.Rsum nn (fun l => IZR (WL l))). set (TH := Spec.Rsum nn (fun l => IZR (WH l))).
  (* b = sum_{l <> i} w_l lies in [(TL - WL_i) U, (TH - WH_i) U] *)
  assert (Hb1 : (TL - IZR (WL i)) * U <= b).
  { assert (E1 : Spec.Rsum nn (fun l => w l - IZR (WL l) * U) = S - TL * U).
    { rewrite Rsum_minus. unfold TL.
      rewrite (Rsum_ext nn (fun l => IZR (WL l) * U) (fun l => U * IZR (WL l))) by (intros; ring).
      rewrite Rsum_scal. unfold S. ring. }
    assert (w i - IZR (WL i) * U <= Spec.Rsum nn (fun l => w l - IZR (WL l) * U)).
    { apply (Rsum_ge_term nn (fun l => w l - IZR (WL l) * U)); auto.
      intros l Hl. destruct (H l Hl) as (_ & H1 & _). unfold w. lra. }
    rewrite E1 in H0. unfold b, a. lra. }
  assert (Hb2 : b <= (TH - IZR (WH i)) * U).
  { assert (E1 : Spec.Rsum nn (fun l => IZR (WH l) * U - w l) = TH * U - S).
    { rewrite Rsum_minus. unfold TH.
      rewrite (Rsum_ext nn (fun l => IZR (WH l) * U) (fun l => U * IZR (WH l))) by (intros; ring).
      rewrite Rsum_scal. unfold S. ring. }
    assert (IZR (WH i) * U - w i <= Spec.Rsum nn (fun l => IZR (WH l) * U - w l)).
    { apply (Rsum_ge_term nn (fun l => IZR (WH l) * U - w l)); auto.
      intros l Hl. destruct (H l Hl) as (_ & _ & H2). unfold w. lra. }
    rewrite E1 in H0. unfold b, a. lra. }
  assert (HTL : IZR (WL i) <= TL).
  { apply (Rsum_ge_term nn (fun l => IZR (WL l))); auto. intros l Hl. apply IZR_le, (H l Hl). }
  destruct (H i Hi) as (HWL0 & HWL & HWH). apply IZR_le in HWL0.
  change (exp (sc i - c)) with a in HWL, HWH.
  assert (Hb0 : 0 <= b) by (assert (0 <= (TL - IZR (WL i)) * U) by (apply Rmult_le_pos; lra); lra).
  pose proof (pow2F_pos F) as HP.
  assert (Hp : IZR (2 ^ Z.of_nat F) = 2 ^ F) by (change (2 ^ Z.of_nat F)%Z with (pow2 F); apply IZR_pow2).
  unfold enc, attn_itv. cbv zeta. split.
  - destruct (Z.ltb_spec 0 (WL i + (Zsum nn WH - WH i))) as [Hd|Hd]; cbn [fst].
    + pose proof (fdiv_le (WL i * 2 ^ Z.of_nat F) _ Hd) as Fl.
      rewrite mult_IZR, Hp, plus_IZR, minus_IZR, IZR_Zsum in Fl. fold TH in Fl.
      apply IZR_lt in Hd. rewrite plus_IZR, minus_IZR, IZR_Zsum in Hd. fold TH in Hd.
      eapply Rle_trans.
      { unfold Rdiv at 1. apply Rmult_le_compat_r; [left; apply Rinv_0_lt_compat; lra|exact Fl]. }
      replace (IZR (WL i) * 2 ^ F / (IZR (WL i) + (TH - IZR (WH i))) * / 2 ^ F)
        with ((IZR (WL i) * U) / (IZR (WL i) * U + (TH - IZR (WH i)) * U)) by (field; repeat split; nra).
      apply ratio_lower; try split; try lra.
      * apply Rmult_le_pos; lra.
      * assert (0 < (IZR (WL i) + (TH - IZR (WH i))) * U) by (apply Rmult_lt_0_compat; lra). lra.
    + unfold Rdiv. rewrite Rmult_0_l. left. apply Rdiv_lt_0_compat; lra.
  - destruct (Z.ltb_spec 0 (WH i + (Zsum nn WL - WL i))) as [Hd|Hd]; cbn [snd].
    + pose proof (cdiv_ge (WH i * 2 ^ Z.of_nat F) _ Hd) as Cu.
      rewrite mult_IZR, Hp, plus_IZR, minus_IZR, IZR_Zsum in Cu. fold TL in Cu.
      apply IZR_lt in Hd. rewrite plus_IZR, minus_IZR, IZR_Zsum in Hd. fold TL in Hd.
      apply Rle_trans with (IZR (WH i) * 2 ^ F / (IZR (WH i) + (TL - IZR (WL i))) * / 2 ^ F).
      2: { unfold Rdiv at 2. apply Rmult_le_compat_r; [left; apply Rinv_0_lt_compat; lra|exact Cu]. }
      replace (IZR (WH i) * 2 ^ F / (IZR (WH i) + (TL - IZR (WL i))) * / 2 ^ F)
        with ((IZR (WH i) * U) / (IZR (WH i) * U + (TL - IZR (WL i)) * U)) by (field; repeat split; nra).
      apply ratio_upper; try split; try lra.
      * apply Rmult_le_pos; lra.
      * assert (0 < (IZR (WH i) + (TL - IZR (WL i))) * U) by (apply Rmult_lt_0_compat; lra). lra.
    + rewrite Hp. replace (2 ^ F / 2 ^ F) with 1 by (field; lra).
      apply Rmult_le_reg_r with (a + b); [lra|]. unfold Rdiv. rewrite Rmult_assoc, Rinv_l, Rmult_1_r, Rmult_1_l by lra.
      lra.
Qed.

(** ** One input *)
Lemma basic_ok_tl_spec M F : basic_ok_tl M F = true ->
  (1 <= n M)%nat /\ (1 <= h M)%nat /\ (1 <= d M)%nat /\ (1 <= F)%nat /\ (s M <= F)%nat /\
  scale_ok F (h M) = true.
Proof.
  unfold basic_ok_tl. intro H. repeat (apply andb_prop in H as [H ?]).
  repeat match goal with H : (_ <=? _)%nat = true |- _ => apply Nat.leb_le in H end.
  repeat split; auto.
Qed.

(** ** The fast evaluation (FoldTL): per-(token, position) tables [Co], [GO = sum_k Co_k P_kj] and,
    for the query, [Cx], [GX]; per input [O(n (h + d + V))] interval products. *)
Local Open Scope Z_scope.
Section Fast.
Variables (M : tlmodel) (F kk : nat).

Definition icentre (u : list itv) : list itv :=
  let mu := idiv (isum (d M) (inth u)) (Z.of_nat (d M)) in tabulate (d M) (fun k => isub (inth u k) mu).
Definition ipost (u : list itv) : list itv := if ln M then icentre u else u.
(** [P_kj = (ln ? w_k : 1) U_kj] in unit [2^-2s]. *)
Definition pw (k j : nat) : Z :=
  (if ln M then nth k (lnfw M) 0 else 2 ^ Z.of_nat (s M)) * nth j (nth k (WU M) []) 0.
Definition igo (c : list itv) : list itv :=
  tabulate (V M) (fun j => isum (d M) (fun k => iscale (2 * s M) (inth c k) (pw k j))).

Record frow := mk_frow { fok : bool; fq : list itv; fk : list itv; fco : list itv; fgo : list itv;
                         fcx : list itv; fgx : list itv }.
Definition dflt_frow : frow := mk_frow false [] [] [] [] [] [].

Definition mkfrow (tok i : nat) : frow :=
  let r := mkrow M F tok i in
  let co := ipost (ivecmat M (h M) (rv r) (WO M) (d M)) in
  let xr := ix M F tok i in
  let cx := ipost (tabulate (d M) (fun k => iadd (inth xr k) (iwt M F (nth k (bO M) 0)))) in
  mk_frow (rok r) (rq r) (rk r) co (igo co) cx (igo cx).
Definition frows : list (list frow) := tabulate (V M) (fun tok => tabulate (n M) (fun i => mkfrow tok i)).
Definition getfrow (R : list (list frow)) (tok i : nat) : frow := nth i (nth tok R []) dflt_frow.
Definition ibb : list itv :=
  tabulate (V M) (fun j => iadd (if ln M then isum (d M) (fun k => iscale (s M) (iwt M F (nth k (lnfb M) 0))
                                                                   (nth j (nth k (WU M) []) 0)) else (0, 0))
                                (iwt M F (nth j (bU M) 0))).

Definition ifast (R : list (list frow)) (B : list itv) (t : list nat) : bool * list itv :=
  let nn := n M in let hh := h M in
  let rw := tabulate nn (fun i => getfrow R (nth i t 0%nat) i) in
  let rq0 := getfrow R (nth (nn - 1) t 0%nat) (nn - 1) in
  let qr := fq rq0 in
  let sc := tabulate nn (fun i =>
              imul F (isum hh (fun j => imul F (inth qr j) (inth (fk (nth i rw dflt_frow)) j)))
                   (SLO F hh, SHI F hh)) in
  let C := zmax_list (map snd sc) in
  let wl := tabulate nn (fun i => EXPLO F kk (fst (inth sc i) - C)) in
  let wh := tabulate nn (fun i => EXPHI F kk (snd (inth sc i) - C)) in
  let Ex := zmin_list (map (fun i => Z.min (snd (nth i wl (0, 0))) (snd (nth i wh (0, 0)))) (seq 0 nn)) in
  let WL := tabulate nn (fun i => let p := nth i wl (0, 0) in Z.shiftl (fst p) (snd p - Ex)) in
  let WH := tabulate nn (fun i => let p := nth i wh (0, 0) in Z.shiftl (fst p) (snd p - Ex)) in
  let TL := Zsum nn (fun i => nth i WL 0) in let TH := Zsum nn (fun i => nth i WH 0) in
  let a := tabulate nn (fun i => attn_itv F (nth i WL 0) (nth i WH 0) TL TH) in
  let rc := tabulate (d M) (fun k => iadd (inth (fcx rq0) k)
              (isum nn (fun i => imul F (inth a i) (inth (fco (nth i rw dflt_frow)) k)))) in
  let var := idiv (isum (d M) (fun l => isq F (inth rc l))) (Z.of_nat (d M)) in
  let ok := if ln M then isqrt_ok F var (eps_num M) (eps_den M) else true in
  let rho := if ln M then iinvsqrt F var (eps_num M) (eps_den M) else (2 ^ Z.of_nat F, 2 ^ Z.of_nat F) in
  (ok, tabulate (V M) (fun j => iadd (imul F rho (iadd (inth (fgx rq0) j)
          (isum nn (fun i => imul F (inth a i) (inth (fgo (nth i rw dflt_frow)) j))))) (inth B j))).

Definition proven_correct_fast (R : list (list frow)) (B : list itv) (t : list nat) : bool :=
  let '(ok, lg) := ifast R B t in let m := list_max t in
  ok && forallb (fun j => orb (Nat.eqb j m) (snd (inth lg j) <? fst (inth lg m))) (seq 0 (V M)).
Definition frows_ok (R : list (list frow)) : bool := forallb (fun r => forallb fok r) R.
End Fast.

Definition check_bf_tl (M : tlmodel) (F k : nat) (N : Z) : bool :=
  basic_ok_tl M F &&
  (let R := frows M F in let B := ibb M F in
   frows_ok R && (N <=? Z.of_nat (length (filter (proven_correct_fast M F k R B) (all_inputs (V M) (n M))))))%Z.

Local Open Scope R_scope.
Section FastSound.
Variables (M : tlmodel) (F kk : nat).
Hypothesis HsF : (s M <= F)%nat.
Hypothesis Hd : (1 <= d M)%nat.

Lemma enc_icentre u (ur : nat -> R) :
  (forall k, (k < d M)%nat -> enc F (inth u k) (ur k)) ->
  forall k, (k < d M)%nat -> enc F (inth (icentre M u) k) (ur k - mean M ur).
Proof.
  intros H k Hk. unfold icentre. cbv zeta. rewrite inth_tab by exact Hk. apply enc_isub; [apply H, Hk|].
  unfold mean. rewrite INR_IZR_INZ. apply enc_idiv; [lia|]. apply enc_isum, H.
Qed.

Lemma enc_ipost u (ur : nat -> R) :
  (forall k, (k < d M)%nat -> enc F (inth u k) (ur k)) ->
  forall k, (k < d M)%nat -> enc F (inth (ipost M u) k) (if ln M then ur k - mean M ur else ur k).
Proof.
  intros H k Hk. unfold ipost. destruct (ln M); [apply enc_icentre|apply H]; auto.
Qed.

Lemma pw_real k j : IZR (pw M k j) / 2 ^ (2 * s M) = Pw' M k j.
Proof.
  unfold pw, Pw', vent, ent, wt. pose proof (pow2F_pos (s M)).
  replace (2 ^ (2 * s M)) with (2 ^ s M * 2 ^ s M) by (rewrite <- pow_add; f_equal; lia).
  destruct (ln M); rewrite mult_IZR.
  - field. lra.
  - change (2 ^ Z.of_nat (s M))%Z with (pow2 (s M)). rewrite IZR_pow2. field. lra.
Qed.

Lemma enc_igo c (cr : nat -> R) :
  (forall k, (k < d M)%nat -> enc F (inth c k) (cr k)) ->
  forall j, (j < V M)%nat -> enc F (inth (igo M c) j) (Spec.Rsum (d M) (fun k => cr k * Pw' M k j)).
Proof.
  intros H j Hj. unfold igo. rewrite inth_tab by exact Hj. apply enc_isum. intros k Hk.
  rewrite <- pw_real. apply enc_iscale, H, Hk.
Qed.

Lemma enc_ibb j : (j < V M)%nat -> enc F (inth (ibb M F) j) (BB M j).
Proof.
  intro Hj. unfold ibb, BB. rewrite inth_tab by exact Hj. apply enc_iadd; [|apply enc_iwt, HsF].
  destruct (ln M).
  - apply enc_isum. intros k Hk. unfold ent, vent. unfold wt at 2. apply enc_iscale. apply enc_iwt, HsF.
  - unfold enc; simpl. unfold Rdiv. rewrite Rmult_0_l. lra.
Qed.

Variable t : list nat.
Hypothesis Hv : valid M t.

Lemma enc_frow i : (i < n M)%nat -> fok (mkfrow M F (nth i t 0%nat) i) = true ->
  (forall j, (j < h M)%nat -> enc F (inth (fq (mkfrow M F (nth i t 0%nat) i)) j)
                                   (vecmat M (d M) (y M t i) (WQ M) j + vent M (bQ M) j)) /\
  (forall j, (j < h M)%nat -> enc F (inth (fk (mkfrow M F (nth i t 0%nat) i)) j) (kv M t i j)) /\
  (forall k, (k < d M)%nat -> enc F (inth (fco (mkfrow M F (nth i t 0%nat) i)) k) (Co M t i k)) /\
  (forall j, (j < V M)%nat -> enc F (inth (fgo (mkfrow M F (nth i t 0%nat) i)) j)
                                   (Spec.Rsum (d M) (fun k => Co M t i k * Pw' M k j))) /\
  ((i = n M - 1)%nat -> forall k, (k < d M)%nat -> enc F (inth (fcx (mkfrow M F (nth i t 0%nat) i)) k) (Cx M t k)) /\
  ((i = n M - 1)%nat -> forall j, (j < V M)%nat -> enc F (inth (fgx (mkfrow M F (nth i t 0%nat) i)) j)
                                   (Spec.Rsum (d M) (fun k => Cx M t k * Pw' M k j))).
Proof.
  intros Hi Hok. unfold mkfrow in *. cbv zeta in *. cbn [fok fq fk fco fgo fcx fgx] in *.
  destruct (enc_row M F HsF Hd t i Hi Hok) as (Hq & Hk & Hvv).
  assert (Hco : forall k, (k < d M)%nat ->
            enc F (inth (ipost M (ivecmat M (h M) (rv (mkrow M F (nth i t 0%nat) i)) (WO M) (d M))) k) (Co M t i k)).
  { intros k Hk'. unfold Co. apply (enc_ipost _ (VO M t i)); auto. intros k' Hk''. unfold VO.
    apply enc_ivecmat; auto. }
  assert (Hcx : i = (n M - 1)%nat -> forall k, (k < d M)%nat ->
            enc F (inth (ipost M (tabulate (d M) (fun k0 => iadd (inth (ix M F (nth i t 0%nat) i) k0)
                     (iwt M F (nth k0 (bO M) 0%Z))))) k) (Cx M t k)).
  { intros -> k Hk'. unfold Cx. apply (enc_ipost _ (XB M t)); auto. intros k' Hk''.
    rewrite inth_tab by exact Hk''. unfold XB. apply enc_iadd; [apply enc_ix; auto|apply enc_iwt, HsF]. }
  split; [exact Hq|]. split; [exact Hk|]. split; [exact Hco|].
  split; [intros jj Hjj; apply enc_igo; auto|]. split; [exact Hcx|].
  intros E0 jj Hjj. apply enc_igo; auto.
Qed.
End FastSound.

Lemma getfrow_frows M F tok i : (tok < V M)%nat -> (i < n M)%nat -> getfrow (frows M F) tok i = mkfrow M F tok i.
Proof.
  intros Ht Hi. unfold getfrow, frows. rewrite nth_tabulate by exact Ht. apply nth_tabulate, Hi.
Qed.

Lemma frows_ok_spec M F tok i : frows_ok (frows M F) = true -> (tok < V M)%nat -> (i < n M)%nat ->
  fok (mkfrow M F tok i) = true.
Proof.
  unfold frows_ok. intros H Ht Hi. rewrite forallb_forall in H.
  assert (Hr : In (nth tok (frows M F) []) (frows M F)) by (apply nth_In; unfold frows; rewrite length_tabulate; exact Ht).
  specialize (H _ Hr). rewrite forallb_forall in H. rewrite <- getfrow_frows with (F := F) by auto.
  apply H. unfold getfrow. apply nth_In. unfold frows. rewrite nth_tabulate, length_tabulate by exact Ht. exact Hi.
Qed.

Theorem ifast_sound M F kk t : basic_ok_tl M F = true -> frows_ok (frows M F) = true -> valid M t ->
  fst (ifast M F kk (frows M F) (ibb M F) t) = true ->
  forall j, (j < V M)%nat -> enc F (inth (snd (ifast M F kk (frows M F) (ibb M F) t)) j) (logit M t j).
Proof.
  intros Hb Hrows Hv Hok j Hj.
  destruct (basic_ok_tl_spec M F Hb) as (Hn & Hh & Hd & HF & HsF & Hsc).
  destruct Hv as [Hlen Hval] eqn:Hv'. clear Hv'.
  assert (Hti : forall i, (i < n M)%nat -> (nth i t 0 < V M)%nat) by (intros; apply Hval, nth_In; lia).
  assert (Hrow : forall i, (i < n M)%nat -> _) by (intros i Hi; exact (enc_frow M F HsF Hd t i Hi
                                                   (frows_ok_spec M F _ i Hrows (Hti i Hi) Hi))).
  unfold ifast in *. cbv zeta in *.
  set (nn := n M) in *. set (hh := h M) in *.
  set (rw := tabulate nn (fun i => getfrow (frows M F) (nth i t 0%nat) i)) in *.
  assert (Hrw : forall i, (i < nn)%nat -> nth i rw dflt_frow = mkfrow M F (nth i t 0%nat) i).
  { intros i Hi. unfold rw. rewrite nth_tabulate by exact Hi. apply getfrow_frows; auto. }
  assert (Hq0 : getfrow (frows M F) (nth (nn - 1) t 0%nat) (nn - 1) = mkfrow M F (nth (nn - 1) t 0%nat) (nn - 1))
    by (apply getfrow_frows; [apply Hti|]; lia).
  rewrite Hq0 in *.
  destruct (Hrow (nn - 1)%nat ltac:(lia)) as (Hq & _ & _ & _ & Hcx & Hgx).
  specialize (Hcx eq_refl). specialize (Hgx eq_refl).
  set (sc := tabulate nn (fun i => imul F (isum hh (fun j0 => imul F (inth (fq (mkfrow M F (nth (nn - 1) t 0%nat) (nn - 1))) j0)
                                        (inth (fk (nth i rw dflt_frow)) j0))) (SLO F hh, SHI F hh))) in *.
  assert (Hsc' : forall i, (i < nn)%nat -> enc F (inth sc i) (score M t i)).
  { intros i Hi. unfold sc. rewrite inth_tab by exact Hi. unfold score. unfold Rdiv.
    apply enc_imul.
    - apply enc_isum. intros j' Hj'. apply enc_imul; [apply Hq, Hj'|]. rewrite Hrw by exact Hi.
      apply (Hrow i Hi), Hj'.
    - unfold enc; cbn [fst snd]. apply scale_bounds; [lia|exact Hsc]. }
  set (C := zmax_list (map snd sc)) in *.
  set (wl := tabulate nn (fun i => EXPLO F kk (fst (inth sc i) - C))) in *.
  set (wh := tabulate nn (fun i => EXPHI F kk (snd (inth sc i) - C))) in *.
  set (Ex := zmin_list (map (fun i => Z.min (snd (nth i wl (0, 0)%Z)) (snd (nth i wh (0, 0)%Z))) (seq 0 nn))) in *.
  set (WL := tabulate nn (fun i => let p := nth i wl (0, 0)%Z in Z.shiftl (fst p) (snd p - Ex))) in *.
  set (WH := tabulate nn (fun i => let p := nth i wh (0, 0)%Z in Z.shiftl (fst p) (snd p - Ex))) in *.
  set (a := tabulate nn (fun i => attn_itv F (nth i WL 0%Z) (nth i WH 0%Z)
                         (Zsum nn (fun i0 => nth i0 WL 0%Z)) (Zsum nn (fun i0 => nth i0 WH 0%Z)))) in *.
  assert (Ha : forall i, (i < nn)%nat -> enc F (inth a i) (attn M t i)).
  { intros i Hi. unfold a. rewrite inth_tab by exact Hi. unfold attn. change (n M) with nn.
    apply (attn_itv_sound F nn (score M t) (IZR C / 2 ^ F) (fun i0 => nth i0 WL 0%Z) (fun i0 => nth i0 WH 0%Z)
             (powerRZ 2 Ex) i Hi (powerRZ2_pos Ex)).
    intros l Hl. unfold WL, WH. rewrite !nth_tabulate by exact Hl. cbv zeta.
    assert (HEx : (Ex <= snd (nth l wl (0, 0)) /\ Ex <= snd (nth l wh (0, 0)))%Z).
    { assert (Ex <= Z.min (snd (nth l wl (0, 0))) (snd (nth l wh (0, 0))))%Z; [|lia].
      apply zmin_list_le, in_map_iff. exists l. split; auto. apply in_seq. lia. }
    destruct HEx as [HE1 HE2].
    pose proof (Hsc' l Hl) as [S1 S2].
    assert (HC : (snd (inth sc l) <= C)%Z).
    { apply zmax_list_ge, in_map_iff. exists (inth sc l). split; auto. apply nth_In.
      unfold sc. rewrite length_tabulate. exact Hl. }
    pose proof (pow2F_pos F) as HP.
    split; [|split].
    - apply Z.shiftl_nonneg. unfold wl. rewrite nth_tabulate by exact Hl. apply EXPLO_nonneg.
    - rewrite dval_align by exact HE1. fold (dval (nth l wl (0, 0)%Z)). unfold wl. rewrite nth_tabulate by exact Hl.
      eapply Rle_trans; [apply EXPLO_le|]. apply exp_mono. rewrite minus_IZR. unfold Rdiv in *. lra.
    - rewrite dval_align by exact HE2. fold (dval (nth l wh (0, 0)%Z)). unfold wh. rewrite nth_tabulate by exact Hl.
      eapply Rle_trans; [|apply EXPHI_ge; [exact HF|lia]]. apply exp_mono. rewrite minus_IZR. unfold Rdiv in *. lra. }
  set (rc := tabulate (d M) (fun k => iadd (inth (fcx (mkfrow M F (nth (nn - 1) t 0%nat) (nn - 1))) k)
              (isum nn (fun i => imul F (inth a i) (inth (fco (nth i rw dflt_frow)) k))))) in *.
  assert (Hrc : forall k, (k < d M)%nat ->
            enc F (inth rc k) (if ln M then resid M t k - mean M (resid M t) else resid M t k)).
  { intros k Hk. unfold rc. rewrite inth_tab by exact Hk. rewrite centred_fold by exact Hd.
    apply enc_iadd; [apply Hcx, Hk|]. apply enc_isum. intros i Hi. apply enc_imul; [apply Ha, Hi|].
    rewrite Hrw by exact Hi. apply (Hrow i Hi), Hk. }
  assert (Hrho : (if ln M then isqrt_ok F (idiv (isum (d M) (fun l => isq F (inth rc l))) (Z.of_nat (d M)))
                                 (eps_num M) (eps_den M) else true) = true ->
                 enc F (if ln M then iinvsqrt F (idiv (isum (d M) (fun l => isq F (inth rc l))) (Z.of_nat (d M)))
                                 (eps_num M) (eps_den M) else (2 ^ Z.of_nat F, 2 ^ Z.of_nat F)%Z) (rho M t)).
  { intro Hok'. unfold rho. destruct (ln M) eqn:Eln.
    - apply enc_iinvsqrt; auto.
      + rewrite INR_IZR_INZ. apply enc_idiv; [lia|]. apply enc_isum. intros l Hl. apply enc_isq.
        apply Hrc, Hl.
      + apply div_nonneg; [|apply lt_0_INR; lia]. apply Rsum_nonneg. intros. apply Rle_0_sqr.
    - unfold enc. cbn [fst snd]. change (2 ^ Z.of_nat F)%Z with (pow2 F). rewrite IZR_pow2.
      pose proof (pow2F_pos F). unfold Rdiv. rewrite Rinv_r by lra. lra. }
  cbn [fst snd] in *. specialize (Hrho Hok).
  rewrite inth_tab by exact Hj. rewrite logit_fold by exact Hd.
  apply enc_iadd; [|apply enc_ibb; auto]. apply enc_imul; [exact Hrho|]. apply enc_iadd; [apply Hgx, Hj|].
  apply enc_isum. intros i Hi. apply enc_imul; [apply Ha, Hi|]. rewrite Hrw by exact Hi. apply (Hrow i Hi), Hj.
Qed.

Lemma proven_correct_fast_sound M F kk t : basic_ok_tl M F = true -> frows_ok (frows M F) = true -> valid M t ->
  proven_correct_fast M F kk (frows M F) (ibb M F) t = true -> correct M t.
Proof.
  intros Hb Hrows Hv Hpc j Hj Hjm. unfold proven_correct_fast in Hpc.
  pose proof (ifast_sound M F kk t Hb Hrows Hv) as Hs.
  destruct (ifast M F kk (frows M F) (ibb M F) t) as [ok lg]. cbn [fst snd] in Hs.
  apply andb_prop in Hpc as [Hok Hall]. specialize (Hs Hok).
  assert (Hm : (list_max t < V M)%nat).
  { destruct Hv as [Hlen Hval]. apply Hval, In_list_max. intro E0. subst. simpl in Hlen.
    destruct (basic_ok_tl_spec M F Hb) as (Hn & _). lia. }
  rewrite forallb_forall in Hall. specialize (Hall j ltac:(apply in_seq; lia)).
  apply Bool.orb_prop in Hall as [Hc|Hc]; [apply Nat.eqb_eq in Hc; contradiction|].
  apply Z.ltb_lt, IZR_lt in Hc. destruct (Hs j Hj) as [_ H1]. destruct (Hs _ Hm) as [H2 _].
  pose proof (pow2F_pos F). assert (IZR (snd (inth lg j)) / 2 ^ F < IZR (fst (inth lg (list_max t))) / 2 ^ F).
  { unfold Rdiv. apply Rmult_lt_compat_r; [apply Rinv_0_lt_compat; lra|exact Hc]. }
  lra.
Qed.

(** The soundness theorem, proven once. *)
Theorem check_bf_tl_sound M F k N : check_bf_tl M F k N = true -> accuracy_at_least M N.
Proof.
  unfold check_bf_tl. intro H. apply andb_prop in H as [Hb H]. apply andb_prop in H as [Hrows HN].
  apply Z.leb_le in HN.
  exists (filter (proven_correct_fast M F k (frows M F) (ibb M F)) (all_inputs (V M) (n M))). split; [|split; auto].
  - apply NoDup_filter, NoDup_prod_list, Forall_forall. intros L HL.
    apply repeat_spec in HL; subst. apply seq_NoDup.
  - intros t Ht. apply filter_In in Ht as [Hin Hpc].
    apply In_prod_list, Forall2_In_repeat in Hin as [Hlen Hin].
    assert (Hv : valid M t) by (split; auto; intros a Ha; apply Hin, in_seq in Ha; lia).
    split; auto. apply (proven_correct_fast_sound M F k t Hb Hrows Hv Hpc).
Qed.
