(** * AugmentTL: a LayerNorm-free TransformerLens model with biases is a bias-free [Spec] model one
    coordinate wider (CHECKING.md 5d), so the compact checkers of [Cubic] and [CubicCount] apply.

    [augment M] is computed here, in Coq, from the integers of [M] (the exporter's arithmetic is not
    trusted).  The extra coordinate [d] of the residual stream is the constant [2^-s] (the integer 1):
      E' = [E | 1], Pos' = [Pos | 0], W_Q' = [W_Q ; 2^s b_Q], W_K' = [W_K ; 2^s b_K],
      W_V' = [W_V ; 2^s b_V], W_O' = [W_O | 0], W_U' = [W_U ; c],  c_j = b_O . W_U[:,j] + 2^s b_U[j]
    (integers; the real [c_j / 2^s] times the constant [2^-s] is [b_O W_U[:,j] + b_U[j]]).  Then the
    queries, keys and values of [augment M] are those of [M] with their biases, [W_O'] never writes the
    constant coordinate, and because the attention weights sum to one, [b_O W_U + b_U] may be read off
    the query's own residual: every logit of [augment M] equals the logit of [M]
    ([augment_logit]).  Proven once: [augment_accuracy], and the two checkers [check_cubic_tl] and
    [check_cubic_count_tl] with their soundness theorems. *)
From Coq Require Import ZArith Reals List Lia Lra Bool.
From Pybridge Require Import ListUtil SpecTL FoldTL.
From Pybridge Require Spec Tables Cubic CubicCount.
Import ListNotations.

Local Open Scope Z_scope.

(** ** The augmented model *)
Definition pad (z : Z) (A : list (list Z)) : list (list Z) := map (fun r => r ++ [z]) A.
Definition scale_row (s : nat) (b : list Z) : list Z := map (fun z => z * 2 ^ Z.of_nat s) b.
Definition aug_c (M : tlmodel) : list Z :=
  map (fun l => Tables.zdot (bO M) (Tables.zcol (WU M) l) + nth l (bU M) 0 * 2 ^ Z.of_nat (s M))
      (seq 0 (V M)).

Definition augment (M : tlmodel) : Spec.model := {|
  Spec.V := V M; Spec.n := n M; Spec.d := S (d M); Spec.h := h M; Spec.s := s M;
  Spec.E := pad 1 (E M); Spec.Pos := pad 0 (Pos M);
  Spec.WQ := WQ M ++ [scale_row (s M) (bQ M)];
  Spec.WK := WK M ++ [scale_row (s M) (bK M)];
  Spec.WV := WV M ++ [scale_row (s M) (bV M)];
  Spec.WO := pad 0 (WO M);
  Spec.WU := WU M ++ [aug_c M] |}.

(** The conditions under which [augment] is faithful: no LayerNorm, [n >= 1], and the shapes. *)
Definition rows_len (A : list (list Z)) (r c : nat) : bool :=
  (length A =? r)%nat && forallb (fun row => length row =? c)%nat A.

Definition aug_ok (M : tlmodel) : bool :=
  negb (ln M) && (1 <=? n M)%nat &&
  rows_len (E M) (V M) (d M) && rows_len (Pos M) (n M) (d M) && rows_len (WO M) (h M) (d M) &&
  (length (WQ M) =? d M)%nat && (length (WK M) =? d M)%nat && (length (WV M) =? d M)%nat &&
  (length (WU M) =? d M)%nat && (length (bO M) =? d M)%nat.

(** The compact checkers on the augmented model. *)
Definition check_cubic_tl (M : tlmodel) (P k : nat) (blocks : list Cubic.block) (N : Z) : bool :=
  aug_ok M && Cubic.check_cubic (augment M) P k blocks N.
Definition check_cubic_count_tl (M : tlmodel) (P k : nat) (blocks : list Cubic.block) (N : Z) : bool :=
  aug_ok M && CubicCount.check_cubic_count (augment M) P k blocks N.

(** ** List lemmas *)
Local Open Scope R_scope.

Lemma Rsum_S' m f : Spec.Rsum (S m) f = f O + Spec.Rsum m (fun k => f (S k)).
Proof. unfold Spec.Rsum. simpl. rewrite <- seq_shift, map_map. reflexivity. Qed.

Lemma dot_nth (u v : list R) : length u = length v ->
  Spec.dot u v = Spec.Rsum (length u) (fun k => nth k u 0 * nth k v 0).
Proof.
  revert v; induction u as [|a u IH]; intros [|b v] H; simpl in H; try discriminate; [reflexivity|].
  simpl length. rewrite Rsum_S'. cbn [nth]. rewrite <- (IH v) by lia. reflexivity.
Qed.

Lemma zdot_nth (u v : list Z) : length u = length v ->
  IZR (Tables.zdot u v) = Spec.Rsum (length u) (fun k => IZR (nth k u 0%Z) * IZR (nth k v 0%Z)).
Proof.
  revert v; induction u as [|a u IH]; intros [|b v] H; simpl in H; try discriminate; [reflexivity|].
  simpl length. rewrite Rsum_S'. cbn [nth]. rewrite <- (IH v) by lia. unfold Tables.zdot. simpl.
  rewrite plus_IZR, mult_IZR. reflexivity.
Qed.

Lemma nth_vecmat (u : list R) A c j : (j < c)%nat ->
  nth j (Spec.vecmat u A c) 0 = Spec.Rsum (length u) (fun k => nth k u 0 * nth j (nth k A []) 0)
  \/ length u <> length A.
Proof.
  intro Hj. destruct (Nat.eq_dec (length u) (length A)) as [E|E]; [left|right; exact E].
  unfold Spec.vecmat. rewrite nth_map_seq by exact Hj. rewrite dot_nth by (unfold Spec.col; rewrite map_length; exact E).
  apply Rsum_ext. intros k _. f_equal. unfold Spec.col.
  rewrite (nth_map_dflt _ _ _ [] 0) by (destruct j; reflexivity). reflexivity.
Qed.

Lemma vecmat_sum (u : list R) A c j : (j < c)%nat -> length u = length A ->
  nth j (Spec.vecmat u A c) 0 = Spec.Rsum (length A) (fun k => nth k u 0 * nth j (nth k A []) 0).
Proof.
  intros Hj E. destruct (nth_vecmat u A c j Hj) as [H|H]; [rewrite <- E; exact H|contradiction].
Qed.

Lemma length_vecmat u A c : length (Spec.vecmat u A c) = c.
Proof. unfold Spec.vecmat. rewrite map_length, seq_length. reflexivity. Qed.

Lemma nth_map_lt' {A B} (f : A -> B) l i da db :
  (i < length l)%nat -> nth i (map f l) db = f (nth i l da).
Proof. intro H. rewrite nth_indep with (d' := f da) by (rewrite map_length; lia). apply map_nth. Qed.

Lemma nth_vadd (u v : list R) k : (k < length u)%nat -> (k < length v)%nat ->
  nth k (Spec.vadd u v) 0 = nth k u 0 + nth k v 0.
Proof.
  revert v k; induction u as [|a u IH]; intros [|b v] [|k] Hu Hv; simpl in *; try lia; [reflexivity|].
  apply IH; lia.
Qed.

Lemma length_vadd (u v : list R) : length (Spec.vadd u v) = Nat.min (length u) (length v).
Proof. unfold Spec.vadd. rewrite map_length, combine_length. reflexivity. Qed.

Lemma rows_len_spec A r c : rows_len A r c = true ->
  length A = r /\ forall k, (k < r)%nat -> length (nth k A []) = c.
Proof.
  unfold rows_len. intro H. apply andb_prop in H as [H1 H2]. apply Nat.eqb_eq in H1.
  rewrite forallb_forall in H2. split; auto. intros k Hk. apply Nat.eqb_eq, H2, nth_In. lia.
Qed.

Lemma nth_snoc_lt {A} (l : list A) z j d0 : (j < length l)%nat -> nth j (l ++ [z]) d0 = nth j l d0.
Proof. intro. apply app_nth1. exact H. Qed.

Lemma nth_snoc_eq {A} (l : list A) z j d0 : j = length l -> nth j (l ++ [z]) d0 = z.
Proof. intros ->. rewrite app_nth2 by lia. rewrite Nat.sub_diag. reflexivity. Qed.

(** ** Faithfulness *)
Section Augment.
Variables (M : tlmodel) (t : list nat).
Hypothesis Hok : aug_ok M = true.
Hypothesis Hval : valid M t.
Let a := augment M.

Lemma aug_ok_spec :
  ln M = false /\ (1 <= n M)%nat /\
  (length (E M) = V M /\ forall k, (k < V M)%nat -> length (nth k (E M) []) = d M) /\
  (length (Pos M) = n M /\ forall k, (k < n M)%nat -> length (nth k (Pos M) []) = d M) /\
  (length (WO M) = h M /\ forall k, (k < h M)%nat -> length (nth k (WO M) []) = d M) /\
  length (WQ M) = d M /\ length (WK M) = d M /\ length (WV M) = d M /\ length (WU M) = d M /\
  length (bO M) = d M.
Proof.
  pose proof Hok as H. unfold aug_ok in H. repeat (apply andb_prop in H as [H ?]).
  apply negb_true_iff in H.
  repeat match goal with
         | H : (_ =? _)%nat = true |- _ => apply Nat.eqb_eq in H
         | H : (_ <=? _)%nat = true |- _ => apply Nat.leb_le in H
         | H : rows_len _ _ _ = true |- _ => apply rows_len_spec in H
         end.
  repeat split; tauto.
Qed.

Lemma Hln : ln M = false. Proof. apply aug_ok_spec. Qed.

Lemma pow2s_pos : 0 < 2 ^ s M. Proof. apply pow_lt. lra. Qed.

Lemma wt0 : wt M 0 = 0. Proof. unfold wt. simpl. unfold Rdiv. apply Rmult_0_l. Qed.

(** A real-matrix entry of the augmented model is an [ent] of [M]. *)
Lemma real_ent A k j : nth j (nth k (Spec.real_mat a A) []) 0 = ent M A k j.
Proof.
  unfold Spec.real_mat. rewrite (nth_map_dflt _ _ _ [] []) by reflexivity.
  rewrite (nth_map_dflt _ _ _ 0%Z 0) by (simpl; unfold Rdiv; apply Rmult_0_l). reflexivity.
Qed.

Lemma length_real_mat A : length (Spec.real_mat a A) = length A.
Proof. unfold Spec.real_mat. apply map_length. Qed.

(** [u' W'] with [W' = [W ; ex]] and [u'] one longer than [W]: [u W + u'_d ex]. *)
Lemma aug_mv (u' : list R) A ex c j : (j < c)%nat -> length u' = S (length A) ->
  nth j (Spec.vecmat u' (Spec.real_mat a (A ++ [ex])) c) 0 =
  Spec.Rsum (length A) (fun k => nth k u' 0 * ent M A k j) + nth (length A) u' 0 * wt M (nth j ex 0%Z).
Proof.
  intros Hj Hl. rewrite vecmat_sum by (auto; rewrite length_real_mat, app_length; simpl; lia).
  rewrite length_real_mat, app_length. simpl length. rewrite Nat.add_1_r, Rsum_S. f_equal.
  - apply Rsum_ext. intros k Hk. rewrite real_ent. unfold ent. rewrite nth_snoc_lt by exact Hk. reflexivity.
  - rewrite real_ent. unfold ent. rewrite nth_snoc_eq by reflexivity. reflexivity.
Qed.

Lemma tok_lt i : (i < n M)%nat -> (nth i t 0 < V M)%nat.
Proof. intro. destruct Hval as [Hlen Hv]. apply Hv, nth_In. lia. Qed.

(** The residual stream of [augment M]: [x_i] of [M] and the constant [2^-s]. *)
Lemma x_aug i : (i < n M)%nat ->
  length (Spec.x a t i) = S (d M) /\
  (forall k, (k < d M)%nat -> nth k (Spec.x a t i) 0 = x M t i k) /\
  nth (d M) (Spec.x a t i) 0 = wt M 1.
Proof.
  intro Hi. destruct aug_ok_spec as (_ & _ & [HE HEr] & [HP HPr] & _).
  pose proof (tok_lt i Hi) as Ht.
  assert (RE : nth (nth i t 0%nat) (Spec.real_mat a (Spec.E a)) [] =
               map (fun z => IZR z / 2 ^ s M) (nth (nth i t 0%nat) (E M) [] ++ [1%Z])).
  { unfold Spec.real_mat. rewrite (nth_map_dflt _ _ _ [] []) by reflexivity. f_equal.
    simpl Spec.E. unfold pad. rewrite (nth_map_lt' _ _ _ []) by lia. reflexivity. }
  assert (RP : nth i (Spec.real_mat a (Spec.Pos a)) [] =
               map (fun z => IZR z / 2 ^ s M) (nth i (Pos M) [] ++ [0%Z])).
  { unfold Spec.real_mat. rewrite (nth_map_dflt _ _ _ [] []) by reflexivity. f_equal.
    simpl Spec.Pos. unfold pad. rewrite (nth_map_lt' _ _ _ []) by lia. reflexivity. }
  assert (LE : length (nth (nth i t 0%nat) (E M) [] ++ [1%Z]) = S (d M))
    by (rewrite app_length, HEr by auto; simpl; lia).
  assert (LP : length (nth i (Pos M) [] ++ [0%Z]) = S (d M))
    by (rewrite app_length, HPr by auto; simpl; lia).
  unfold Spec.x. rewrite RE, RP. split; [|split].
  - rewrite length_vadd, !map_length, LE, LP. apply Nat.min_id.
  - intros k Hk. rewrite nth_vadd by (rewrite map_length; lia).
    rewrite (nth_map_lt' _ _ _ 0%Z) by lia. rewrite (nth_map_lt' _ _ _ 0%Z) by lia.
    rewrite !nth_snoc_lt by (rewrite ?HEr, ?HPr; auto). reflexivity.
  - rewrite nth_vadd by (rewrite map_length; lia).
    rewrite (nth_map_lt' _ _ _ 0%Z) by lia. rewrite (nth_map_lt' _ _ _ 0%Z) by lia.
    rewrite !nth_snoc_eq by (rewrite ?HEr, ?HPr; auto). simpl. unfold wt. unfold Rdiv. ring.
Qed.

Lemma wt_scale b : wt M 1 * wt M (b * 2 ^ Z.of_nat (s M)) = wt M b.
Proof.
  unfold wt. rewrite mult_IZR, <- pow_IZR. pose proof pow2s_pos. simpl (IZR 2). field. lra.
Qed.

Lemma nth_scale_row b j : nth j (scale_row (s M) b) 0%Z = (nth j b 0 * 2 ^ Z.of_nat (s M))%Z.
Proof. unfold scale_row. rewrite (nth_map_dflt _ _ _ 0%Z 0%Z) by reflexivity. reflexivity. Qed.

(** The value [u' W'] for [W' = [W; 2^s b]] and the residual [u'] of [augment M]: [x W + b]. *)
Lemma proj_aug i W b j c : (i < n M)%nat -> (j < c)%nat -> length W = d M ->
  nth j (Spec.vecmat (Spec.x a t i) (Spec.real_mat a (W ++ [scale_row (s M) b])) c) 0 =
  vecmat M (d M) (x M t i) W j + vent M b j.
Proof.
  intros Hi Hj HW. destruct (x_aug i Hi) as (L & Hx & Hd).
  rewrite aug_mv by (auto; rewrite L, HW; reflexivity). rewrite HW, Hd, nth_scale_row, wt_scale.
  f_equal. unfold vecmat. apply Rsum_ext. intros k Hk. rewrite Hx by exact Hk. reflexivity.
Qed.

Lemma y_x i : y M t i = x M t i.
Proof. unfold y. rewrite Hln. reflexivity. Qed.

Lemma score_aug i : (i < n M)%nat -> Spec.score a t i = score M t i.
Proof.
  intro Hi. destruct aug_ok_spec as (_ & Hn & _ & _ & _ & HQ & HK & _).
  unfold Spec.score, score. f_equal. rewrite dot_nth by (rewrite !length_vecmat; reflexivity).
  rewrite length_vecmat. simpl Spec.h. apply Rsum_ext. intros j Hj. unfold Spec.xq.
  simpl Spec.n. simpl Spec.WQ. simpl Spec.WK.
  rewrite !proj_aug by (auto; lia). unfold qv, kv. rewrite !y_x. reflexivity.
Qed.

Lemma attn_aug i : (i < n M)%nat -> Spec.attn a t i = attn M t i.
Proof.
  intro Hi. unfold Spec.attn, attn. rewrite score_aug by exact Hi. f_equal.
  apply Rsum_ext. intros l Hl. rewrite score_aug by exact Hl. reflexivity.
Qed.

Lemma vv_aug i : (i < n M)%nat ->
  let w := Spec.vecmat (Spec.vecmat (Spec.x a t i) (Spec.real_mat a (Spec.WV a)) (Spec.h a))
                       (Spec.real_mat a (Spec.WO a)) (Spec.d a) in
  length w = S (d M) /\ (forall k, (k < d M)%nat -> nth k w 0 = FoldTL.VO M t i k) /\ nth (d M) w 0 = 0.
Proof.
  intros Hi w. destruct aug_ok_spec as (_ & _ & _ & _ & [HO HOr] & _ & _ & HV & _).
  assert (Hv : forall jj, (jj < h M)%nat ->
     nth jj (Spec.vecmat (Spec.x a t i) (Spec.real_mat a (Spec.WV a)) (Spec.h a)) 0 = vv M t i jj).
  { intros jj Hjj. simpl Spec.WV. rewrite proj_aug by auto. unfold vv. rewrite y_x. reflexivity. }
  assert (Hw : forall k, (k < S (d M))%nat -> nth k w 0 =
     Spec.Rsum (h M) (fun jj => vv M t i jj * wt M (nth k (nth jj (WO M) [] ++ [0%Z]) 0%Z))).
  { intros k Hk. unfold w. rewrite vecmat_sum by (auto; rewrite length_vecmat, length_real_mat; simpl; unfold pad; rewrite map_length; auto).
    rewrite length_real_mat. simpl Spec.WO. unfold pad. rewrite map_length, HO.
    apply Rsum_ext. intros jj Hjj. rewrite Hv by exact Hjj. f_equal.
    rewrite real_ent. unfold ent. rewrite (nth_map_lt' _ _ _ []) by lia. reflexivity. }
  split; [|split].
  - unfold w. apply length_vecmat.
  - intros k Hk. rewrite Hw by lia. unfold FoldTL.VO, vecmat. apply Rsum_ext. intros jj Hjj.
    rewrite nth_snoc_lt by (rewrite HOr; auto). reflexivity.
  - rewrite Hw by lia. rewrite (Rsum_ext _ _ (fun _ => 0)). 2: { intros jj Hjj.
      rewrite nth_snoc_eq by (rewrite HOr; auto). rewrite wt0. ring. }
    apply Rsum_zero.
Qed.

Lemma c_aug j : (j < V M)%nat -> wt M 1 * wt M (nth j (aug_c M) 0%Z) =
  Spec.Rsum (d M) (fun k => vent M (bO M) k * ent M (WU M) k j) + vent M (bU M) j.
Proof.
  intro Hj. destruct aug_ok_spec as (_ & _ & _ & _ & _ & _ & _ & _ & HU & HbO).
  unfold aug_c. rewrite nth_map_seq by exact Hj.
  assert (Hz : wt M 1 * wt M (Tables.zdot (bO M) (Tables.zcol (WU M) j)) =
               Spec.Rsum (d M) (fun k => vent M (bO M) k * ent M (WU M) k j)).
  { unfold wt. rewrite zdot_nth by (unfold Tables.zcol; rewrite map_length; congruence).
    rewrite HbO.
    rewrite (Rsum_ext (d M) (fun k => vent M (bO M) k * ent M (WU M) k j) (fun k => (/ 2 ^ s M * / 2 ^ s M) *
               (IZR (nth k (bO M) 0%Z) * IZR (nth k (Tables.zcol (WU M) j) 0%Z)))).
    2: { intros k Hk. unfold vent, ent, wt, Tables.zcol.
         rewrite (nth_map_dflt _ _ _ [] 0%Z) by (destruct j; reflexivity). unfold Rdiv. ring. }
    rewrite Rsum_scal. simpl (IZR 1). unfold Rdiv. ring. }
  rewrite <- Hz. unfold vent, wt. rewrite plus_IZR, mult_IZR, <- pow_IZR.
  pose proof pow2s_pos. simpl (IZR 2). field. lra.
Qed.

Theorem augment_logit j : (j < V M)%nat -> Spec.logit a t j = logit M t j.
Proof.
  intro Hj. destruct aug_ok_spec as (_ & Hn & _ & _ & _ & _ & _ & _ & HU & _).
  unfold Spec.logit. unfold logit, fin. rewrite Hln. cbv beta iota. unfold vecmat at 1.
  rewrite (Rsum_ext (d M) (fun k => resid M t k * ent M (WU M) k j)
             (fun k => (XB M t k + Spec.Rsum (n M) (fun i => attn M t i * VO M t i k)) * ent M (WU M) k j))
    by (intros; rewrite resid_fold; reflexivity).
  rewrite lin_fold. unfold Spec.xq. simpl Spec.WU. simpl Spec.n. simpl Spec.V.
  destruct (x_aug (n M - 1) ltac:(lia)) as (Lx & Hx & Hd).
  rewrite aug_mv by (auto; rewrite Lx, HU; reflexivity). rewrite HU, Hd, c_aug by exact Hj.
  assert (Ho : Spec.Rsum (n M) (fun i => Spec.attn a t i *
      nth j (Spec.vecmat (Spec.vecmat (Spec.vecmat (Spec.x a t i) (Spec.real_mat a (Spec.WV a)) (Spec.h a))
                         (Spec.real_mat a (Spec.WO a)) (Spec.d a)) (Spec.real_mat a (WU M ++ [aug_c M])) (V M)) 0)
    = Spec.Rsum (n M) (fun i => attn M t i * Spec.Rsum (d M) (fun k => VO M t i k * ent M (WU M) k j))).
  { apply Rsum_ext. intros i Hi. rewrite attn_aug by exact Hi. f_equal.
    destruct (vv_aug i Hi) as (Lw & Hw & Hw0).
    rewrite aug_mv by (auto; rewrite Lw, HU; reflexivity). rewrite HU, Hw0, Rmult_0_l, Rplus_0_r.
    apply Rsum_ext. intros k Hk. rewrite Hw by exact Hk. reflexivity. }
  rewrite Ho. unfold XB. rewrite (Rsum_ext (d M) (fun k => (x M t (n M - 1) k + vent M (bO M) k) * ent M (WU M) k j)
     (fun k => x M t (n M - 1) k * ent M (WU M) k j + vent M (bO M) k * ent M (WU M) k j)) by (intros; ring).
  rewrite Rsum_plus.
  rewrite (Rsum_ext (d M) (fun k => nth k (Spec.x a t (n M - 1)) 0 * ent M (WU M) k j)
     (fun k => x M t (n M - 1) k * ent M (WU M) k j)) by (intros; rewrite Hx by auto; reflexivity).
  ring.
Qed.

Lemma max_lt : (list_max t < V M)%nat.
Proof.
  destruct Hval as [Hlen Hv]. destruct aug_ok_spec as (_ & Hn & _).
  apply Hv, In_list_max. intro E0. subst. simpl in Hlen. lia.
Qed.

Theorem augment_correct : Spec.correct a t <-> correct M t.
Proof.
  unfold Spec.correct, correct. simpl Spec.V. pose proof max_lt as Hm.
  split; intros H j Hj Hjm; specialize (H j Hj Hjm).
  - rewrite !augment_logit in H by auto. exact H.
  - rewrite !augment_logit by auto. exact H.
Qed.
End Augment.

Theorem augment_accuracy M N : aug_ok M = true ->
  Spec.accuracy_at_least (augment M) N -> accuracy_at_least M N.
Proof.
  intros Hok (l & Hnd & Hl & HN). exists l. split; [exact Hnd|split; [|exact HN]].
  intros t Ht. destruct (Hl t Ht) as [Hv Hc].
  assert (Hv' : valid M t) by exact Hv.
  split; [exact Hv'|]. apply (augment_correct M t Hok Hv'). exact Hc.
Qed.

Theorem check_cubic_tl_sound M P k blocks N :
  check_cubic_tl M P k blocks N = true -> accuracy_at_least M N.
Proof.
  unfold check_cubic_tl. intro H. apply andb_prop in H as [Hok H].
  apply augment_accuracy; auto. exact (Cubic.check_cubic_sound _ _ _ _ _ H).
Qed.

Theorem check_cubic_count_tl_sound M P k blocks N :
  check_cubic_count_tl M P k blocks N = true -> accuracy_at_least M N.
Proof.
  unfold check_cubic_count_tl. intro H. apply andb_prop in H as [Hok H].
  apply augment_accuracy; auto. exact (CubicCount.check_cubic_count_sound _ _ _ _ _ H).
Qed.
