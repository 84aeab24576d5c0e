(** * GroupBruteForce: the brute-force check of a group-operation MLP (CHECKING.md section 8.4).

    [check_group_bf M N] recomputes the group from its name ([GroupSpec.elements]), the exact
    integer pre-activations [A = Z_EL Z_WL], [B = Z_ER Z_WR] (unit [2^-2s]) once, and for every
    pair [(x, y)] the exact integer logits (unit [2^-3s], section 8.3)
    [L_c = sum_k max(A[x][k] + B[y][k], 0) Z_WU[k][c] + Z_bU[c] 2^(2s)];
    it counts the pairs whose logit of [x*y] is strictly above all others and compares [N] with
    the count.  This is the exact fallback of section 8.4 applied to every pair (no fast path:
    Coq's integers are exact anyway).  [check_group_bf_sound] is proven once. *)
From Coq Require Import ZArith QArith List Lia FinFun.
From Pybridge Require Import GroupSpec ListUtil.
Import ListNotations.

(** ** The checker *)
(** (The factor from [v] comes first: [Z.mul] recurses on the bits of its first argument, and the
    hidden values in [u] are the longer numbers.) *)
Fixpoint zdot (u v : list Z) : Z :=
  match u, v with a :: u', b :: v' => (b * a + zdot u' v')%Z | _, _ => 0%Z end.
Definition zcol (A : list (list Z)) (j : nat) : list Z := map (fun row => nth j row 0%Z) A.
(** [X Y] for a matrix [Y] with [c] columns (rows of [X] times the columns of [Y]). *)
Definition zmatmul (X Y : list (list Z)) (c : nat) : list (list Z) :=
  let YT := map (zcol Y) (seq 0 c) in map (fun row => map (zdot row) YT) X.

Definition rows_ok (A : list (list Z)) (r c : nat) : bool :=
  Nat.eqb (length A) r && forallb (fun row => Nat.eqb (length row) c) A.
Definition shape_ok (M : model) (G : nat) : bool :=
  rows_ok (EL M) G (d_embed M) && rows_ok (ER M) G (d_embed M) &&
  rows_ok (WL M) (d_embed M) (d_hidden M) && rows_ok (WR M) (d_embed M) (d_hidden M) &&
  rows_ok (WU M) (d_hidden M) G.

(** Hidden layer from the two pre-activation rows. *)
Definition hidden (a b : list Z) : list Z := map (fun p => Z.max 0 (fst p + snd p)) (combine a b).

(** [beats lz z j L]: every entry of [L] (entry [i] has index [j + i]) except index [z] is [< lz]. *)
Fixpoint beats (lz : Z) (z j : nat) (L : list Z) : bool :=
  match L with
  | [] => true
  | l :: L' => (Nat.eqb j z || (l <? lz)%Z) && beats lz z (S j) L'
  end.

Definition check_group_bf (M : model) (N : Z) : bool :=
  let els := elements (grp M) in
  let G := length els in
  shape_ok M G &&
  (let A := zmatmul (EL M) (WL M) (d_hidden M) in
   let B := zmatmul (ER M) (WR M) (d_hidden M) in
   let P := (2 ^ Z.of_nat (s M))%Z in
   let WUT := map (zcol (WU M)) (seq 0 G) in
   let b2 := map (fun c => nth c (bU M) 0 * (P * P))%Z (seq 0 G) in
   let ok (p : nat * nat) :=
     let hid := hidden (nth (fst p) A []) (nth (snd p) B []) in
     let L := map (fun wb => zdot hid (fst wb) + snd wb)%Z (combine WUT b2) in
     let z := mul_in els (fst p) (snd p) in
     Nat.ltb z G && beats (nth z L 0%Z) z 0 L in
   N <=? Z.of_nat (length (filter ok (list_prod (seq 0 G) (seq 0 G)))))%Z.

(** ** Lists and sums *)
Definition zsum (n : nat) (f : nat -> Z) : Z := fold_right Z.add 0%Z (map f (seq 0 n)).

Lemma nth_map_lt {A B} (f : A -> B) l i d d' : (i < length l)%nat -> nth i (map f l) d = f (nth i l d').
Proof. intro H. rewrite nth_indep with (d' := f d') by (rewrite map_length; exact H). apply map_nth. Qed.

Lemma nth_map_seq' {A} (f : nat -> A) n i d : (i < n)%nat -> nth i (map f (seq 0 n)) d = f i.
Proof. intro H. rewrite (nth_map_lt f _ _ _ 0%nat) by (rewrite seq_length; exact H). rewrite seq_nth; auto. Qed.

Lemma zsum_S0 n f : zsum (S n) f = (f 0%nat + zsum n (fun i => f (S i)))%Z.
Proof. unfold zsum. simpl. rewrite <- seq_shift, map_map. reflexivity. Qed.

Lemma zsum_ext n f g : (forall i, (i < n)%nat -> f i = g i) -> zsum n f = zsum n g.
Proof.
  intro H. unfold zsum. f_equal. apply map_ext_in. intros i Hi. apply in_seq in Hi. apply H; lia.
Qed.

Lemma zdot_zsum u v n :
  length u = n -> length v = n -> zdot u v = zsum n (fun i => nth i u 0 * nth i v 0)%Z.
Proof.
  revert v n; induction u as [|a u IH]; intros v n Hu Hv; destruct v as [|b v]; simpl in *; subst; try discriminate.
  - reflexivity.
  - rewrite zsum_S0. simpl. rewrite Z.mul_comm, (IH v (length u)); auto.
Qed.

Lemma nth_zcol A j t : nth t (zcol A j) 0%Z = nth j (nth t A []) 0%Z.
Proof.
  unfold zcol. pose proof (map_nth (fun row => nth j row 0%Z) A [] t) as E.
  cbv beta in E. replace (nth j [] 0%Z) with 0%Z in E by (destruct j; reflexivity). exact E.
Qed.

Lemma rows_ok_spec A r c :
  rows_ok A r c = true -> length A = r /\ forall i, (i < r)%nat -> length (nth i A []) = c.
Proof.
  unfold rows_ok. rewrite Bool.andb_true_iff, Nat.eqb_eq, forallb_forall. intros [HA Hr]. split; auto.
  intros i Hi. apply Nat.eqb_eq, Hr, nth_In. lia.
Qed.

Lemma beats_spec lz z L : forall j, beats lz z j L = true ->
  forall i, (i < length L)%nat -> (j + i <> z)%nat -> (nth i L 0 < lz)%Z.
Proof.
  induction L as [|l L IH]; intros j H i Hi Hz; simpl in *; [lia|].
  apply andb_prop in H as [H1 H2]. destruct i as [|i].
  - apply Bool.orb_prop in H1 as [H1|H1]; [apply Nat.eqb_eq in H1; lia|]. apply Z.ltb_lt; exact H1.
  - apply (IH (S j) H2 i); lia.
Qed.

Lemma NoDup_list_prod {A B} (l1 : list A) (l2 : list B) : NoDup l1 -> NoDup l2 -> NoDup (list_prod l1 l2).
Proof.
  induction l1 as [|a l1 IH]; intros H1 H2; simpl; [constructor|]. inversion H1; subst.
  apply NoDup_app'; auto.
  - apply Injective_map_NoDup; auto. intros u v E. congruence.
  - intros p Hp Hq. apply in_map_iff in Hp as (b & <- & _). apply in_prod_iff in Hq as [Ha _]. contradiction.
Qed.

(** ** From the integers to the rationals of the Spec *)
Local Open Scope Q_scope.

Lemma Qsum_bridge (l : list nat) (f : nat -> Q) (g : nat -> Z) (a : Q) :
  (forall i, In i l -> f i == inject_Z (g i) * a) ->
  fold_right Qplus 0 (map f l) == inject_Z (fold_right Z.add 0%Z (map g l)) * a.
Proof.
  induction l as [|i l IH]; intro H; simpl; [reflexivity|].
  rewrite H by (left; reflexivity). rewrite IH by (intros; apply H; right; assumption).
  rewrite inject_Z_plus. ring.
Qed.

Lemma Qsum_zsum n f g a :
  (forall i, (i < n)%nat -> f i == inject_Z (g i) * a) -> Qsum n f == inject_Z (zsum n g) * a.
Proof. intro H. apply Qsum_bridge. intros i Hi. apply in_seq in Hi. apply H. lia. Qed.

Lemma relu_scale (q : Q) (z : Z) (c : Q) : 0 < c -> q == inject_Z z * c -> relu q == inject_Z (Z.max 0 z) * c.
Proof.
  intros Hc Hq. unfold relu. destruct (Z.le_gt_cases z 0) as [Hz|Hz].
  - assert (E : Qle_bool q 0 = true).
    { apply Qle_bool_iff. rewrite Hq. setoid_replace 0 with (0 * c) by ring.
      apply Qmult_le_compat_r; [change (inject_Z z <= inject_Z 0); rewrite <- Zle_Qle; exact Hz | apply Qlt_le_weak; exact Hc]. }
    rewrite E, Z.max_l by exact Hz. ring.
  - assert (E : Qle_bool q 0 = false).
    { destruct (Qle_bool q 0) eqn:E; auto. apply Qle_bool_iff in E. rewrite Hq in E.
      exfalso. apply (Qlt_not_le (0 * c) (inject_Z z * c)); [|rewrite Qmult_0_l; exact E].
      apply Qmult_lt_compat_r; auto. change (inject_Z 0 < inject_Z z). rewrite <- Zlt_Qlt. lia. }
    rewrite E, Z.max_r by lia. exact Hq.
Qed.

Section Bridge.
Variable M : model.
Let els := elements (grp M).
Let G := length els.
Let A := zmatmul (EL M) (WL M) (d_hidden M).
Let B := zmatmul (ER M) (WR M) (d_hidden M).
Let P := (2 ^ Z.of_nat (s M))%Z.
Let WUT := map (zcol (WU M)) (seq 0 G).
Let b2 := map (fun c => nth c (bU M) 0 * (P * P))%Z (seq 0 G).
Let sc := / inject_Z P.
Hypothesis Hshape : shape_ok M G = true.

Lemma P_pos : (0 < P)%Z.
Proof. apply Z.pow_pos_nonneg; lia. Qed.

Lemma sc_pos : 0 < sc.
Proof. apply Qinv_lt_0_compat. change (inject_Z 0 < inject_Z P). rewrite <- Zlt_Qlt. exact P_pos. Qed.

Lemma val_sc z : val M z == inject_Z z * sc.
Proof. reflexivity. Qed.

Lemma matmul_entry X Y r i k :
  rows_ok X r (d_embed M) = true -> rows_ok Y (d_embed M) (d_hidden M) = true ->
  (i < r)%nat -> (k < d_hidden M)%nat ->
  nth k (nth i (zmatmul X Y (d_hidden M)) []) 0%Z =
  zsum (d_embed M) (fun t => nth t (nth i X []) 0 * nth k (nth t Y []) 0)%Z.
Proof.
  intros HX HY Hi Hk. apply rows_ok_spec in HX as [HXl HXr]. apply rows_ok_spec in HY as [HYl _].
  unfold zmatmul. rewrite (nth_map_lt _ _ _ _ []) by lia.
  rewrite (nth_map_lt _ _ _ _ []) by (rewrite map_length, seq_length; exact Hk).
  rewrite nth_map_seq' by exact Hk.
  rewrite (zdot_zsum _ _ (d_embed M)); [| apply HXr; exact Hi | unfold zcol; rewrite map_length; exact HYl].
  apply zsum_ext. intros t Ht. rewrite nth_zcol. reflexivity.
Qed.

Lemma shape_parts :
  rows_ok (EL M) G (d_embed M) = true /\ rows_ok (ER M) G (d_embed M) = true /\
  rows_ok (WL M) (d_embed M) (d_hidden M) = true /\ rows_ok (WR M) (d_embed M) (d_hidden M) = true /\
  rows_ok (WU M) (d_hidden M) G = true.
Proof. unfold shape_ok in Hshape. repeat rewrite Bool.andb_true_iff in Hshape. tauto. Qed.

Lemma pre_bridge x y k : (x < G)%nat -> (y < G)%nat -> (k < d_hidden M)%nat ->
  pre M x y k == inject_Z (nth k (nth x A []) 0 + nth k (nth y B []) 0)%Z * (sc * sc).
Proof.
  intros Hx Hy Hk. destruct shape_parts as (H1 & H2 & H3 & H4 & _). unfold A, B.
  rewrite (matmul_entry _ _ G x k), (matmul_entry _ _ G y k) by assumption.
  unfold pre. rewrite inject_Z_plus, Qmult_plus_distr_l. apply Qplus_comp.
  - apply Qsum_zsum. intros i _. unfold ent. rewrite !val_sc, inject_Z_mult. ring.
  - apply Qsum_zsum. intros i _. unfold ent. rewrite !val_sc, inject_Z_mult. ring.
Qed.

Lemma logit_bridge x y c : (x < G)%nat -> (y < G)%nat -> (c < G)%nat ->
  let hid := hidden (nth x A []) (nth y B []) in
  logit M x y c == inject_Z (nth c (map (fun wb => zdot hid (fst wb) + snd wb)%Z (combine WUT b2)) 0%Z)
                   * (sc * sc * sc).
Proof.
  intros Hx Hy Hc hid. destruct shape_parts as (H1 & H2 & H3 & H4 & H5).
  assert (HWT : length WUT = G) by (unfold WUT; rewrite map_length, seq_length; reflexivity).
  assert (Hb2 : length b2 = G) by (unfold b2; rewrite map_length, seq_length; reflexivity).
  rewrite (nth_map_lt _ _ _ _ ([], 0%Z)) by (rewrite combine_length; lia).
  rewrite combine_nth by lia. simpl.
  unfold WUT, b2. rewrite !nth_map_seq' by exact Hc.
  apply rows_ok_spec in H5 as [HUl HUr].
  assert (HA : length (nth x A []) = d_hidden M).
  { unfold A, zmatmul. rewrite (nth_map_lt _ _ _ _ []) by (apply rows_ok_spec in H1; lia).
    rewrite map_length, map_length, seq_length. reflexivity. }
  assert (HB : length (nth y B []) = d_hidden M).
  { unfold B, zmatmul. rewrite (nth_map_lt _ _ _ _ []) by (apply rows_ok_spec in H2; lia).
    rewrite map_length, map_length, seq_length. reflexivity. }
  assert (Hh : length hid = d_hidden M).
  { unfold hid, hidden. rewrite map_length, combine_length. lia. }
  rewrite (zdot_zsum _ _ (d_hidden M)) by (auto; unfold zcol; rewrite map_length; auto).
  unfold logit. rewrite inject_Z_plus, Qmult_plus_distr_l. apply Qplus_comp.
  - apply Qsum_zsum. intros k Hk.
    assert (Ek : nth k hid 0%Z = Z.max 0 (nth k (nth x A []) 0 + nth k (nth y B []) 0)%Z).
    { unfold hid, hidden. rewrite (nth_map_lt _ _ _ _ (0%Z, 0%Z)) by (rewrite combine_length; lia).
      rewrite combine_nth by lia. reflexivity. }
    rewrite Ek, nth_zcol.
    rewrite (relu_scale _ (nth k (nth x A []) 0 + nth k (nth y B []) 0)%Z (sc * sc)); [| apply Qmult_lt_0_compat; apply sc_pos | apply pre_bridge; auto].
    unfold ent. rewrite val_sc, inject_Z_mult. ring.
  - rewrite val_sc, !inject_Z_mult. unfold sc.
    assert (HP : ~ inject_Z P == 0).
    { intro E. pose proof P_pos as HP. rewrite Zlt_Qlt, E in HP. discriminate HP. }
    field. exact HP.
Qed.
End Bridge.

Theorem check_group_bf_sound M N : check_group_bf M N = true -> accuracy_at_least M N.
Proof.
  unfold check_group_bf. intro H. apply andb_prop in H as [Hshape HN]. apply Z.leb_le in HN.
  match type of HN with (_ <= Z.of_nat (length (filter ?f _)))%Z => set (ok := f) in HN end.
  exists (filter ok (list_prod (seq 0 (length (elements (grp M)))) (seq 0 (length (elements (grp M)))))).
  split; [|split; [|exact HN]].
  - apply NoDup_filter, NoDup_list_prod; apply seq_NoDup.
  - intros [x y] Hp. apply filter_In in Hp as [Hin Hok]. apply in_prod_iff in Hin as [Hx Hy].
    apply in_seq in Hx. apply in_seq in Hy. simpl fst; simpl snd. unfold order.
    split; [lia|split; [lia|]].
    unfold ok in Hok. simpl fst in Hok; simpl snd in Hok.
    apply andb_prop in Hok as [Hz Hb]. apply Nat.ltb_lt in Hz.
    unfold correct, order, gmul. cbv zeta. intros j Hj Hjz.
    pose proof (beats_spec _ _ _ 0 Hb j) as Hlt.
    rewrite map_length, combine_length, !map_length, seq_length, Nat.min_id in Hlt.
    specialize (Hlt Hj Hjz).
    rewrite (logit_bridge M Hshape x y j) by lia. rewrite (logit_bridge M Hshape x y) by lia.
    apply Qmult_lt_compat_r; [apply Qmult_lt_0_compat; [apply Qmult_lt_0_compat|]; apply sc_pos|].
    rewrite <- Zlt_Qlt. exact Hlt.
Qed.
