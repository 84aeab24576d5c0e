(** * Tables: the exact integer tables of CHECKING.md section 2, and the bridge to [Spec].

    Integer vector operations mirror the real ones of [Spec] with the same association, so the
    bridge is "IZR commutes with sums and products" plus the unit factors [2^-s]. *)
From Coq Require Import ZArith Reals List Lia Lra.
From Pybridge Require Import Spec ListUtil.
Import ListNotations.

Definition zdot (u v : list Z) : Z :=
  fold_right Z.add 0%Z (map (fun p => (fst p * snd p)%Z) (combine u v)).
Definition zvadd (u v : list Z) : list Z := map (fun p => (fst p + snd p)%Z) (combine u v).
Definition zcol (A : list (list Z)) (j : nat) : list Z := map (fun row => nth j row 0%Z) A.
Definition zvecmat (u : list Z) (A : list (list Z)) (c : nat) : list Z :=
  map (fun j => zdot u (zcol A j)) (seq 0 c).

Section Tables.
Variable M : model.
Local Notation n := (n M).

(** [X[tok][i] = Z_E[tok] + Z_P[i]] (unit 2^-s). *)
Definition Xz (tok i : nat) : list Z := zvadd (nth tok (E M) []) (nth i (Pos M) []).
(** [Qv[q] = X[q][n-1] . Z_WQ], [Kv[tok][i] = X[tok][i] . Z_WK] (unit 2^-2s). *)
Definition Qz (q : nat) : list Z := zvecmat (Xz q (n - 1)) (WQ M) (h M).
Definition Kz (tok i : nat) : list Z := zvecmat (Xz tok i) (WK M) (h M).
(** [QK[q][tok][i] = Qv[q] . Kv[tok][i]] (unit 2^-4s). *)
Definition QKz (q tok i : nat) : Z := zdot (Qz q) (Kz tok i).
(** [OV[tok][i] = ((X[tok][i] . Z_WV) . Z_WO) . Z_WU] (unit 2^-4s). *)
Definition OVz (tok i : nat) : list Z :=
  zvecmat (zvecmat (zvecmat (Xz tok i) (WV M) (h M)) (WO M) (d M)) (WU M) (V M).
(** [EU[q] = (X[q][n-1] . Z_WU) * 2^(2s)] (unit 2^-4s). *)
Definition EUz (q : nat) : list Z :=
  map (fun z => z * 2 ^ Z.of_nat (2 * s M))%Z (zvecmat (Xz q (n - 1)) (WU M) (V M)).
End Tables.

(** ** Bridge *)
Local Open Scope R_scope.

(** Real image of an integer vector, with a unit factor [a]. *)
Definition sc (a : R) (v : list Z) : list R := map (fun z => IZR z * a) v.

Lemma dot_sc a b u v : dot (sc a u) (sc b v) = IZR (zdot u v) * (a * b).
Proof.
  revert v; induction u as [|x u IH]; intros [|y v]; unfold dot, zdot in *; simpl; try ring.
  rewrite IH, plus_IZR, mult_IZR. ring.
Qed.

Lemma vadd_sc a u v : vadd (sc a u) (sc a v) = sc a (zvadd u v).
Proof.
  revert v; induction u as [|x u IH]; intros [|y v]; unfold vadd, zvadd, sc in *; simpl; auto.
  f_equal; [rewrite plus_IZR; ring|]. apply IH.
Qed.

Lemma nth_sc a l j : nth j (sc a l) 0 = IZR (nth j l 0%Z) * a.
Proof.
  revert j; induction l as [|x l IH]; intros [|j]; simpl; auto; ring.
Qed.

Lemma col_sc b A j : col (map (sc b) A) j = sc b (zcol A j).
Proof.
  unfold col, zcol, sc. rewrite !map_map. apply map_ext. intro row. apply nth_sc.
Qed.

Lemma vecmat_sc a b u A c : vecmat (sc a u) (map (sc b) A) c = sc (a * b) (zvecmat u A c).
Proof.
  unfold vecmat, zvecmat, sc at 3. rewrite map_map. apply map_ext. intro j.
  rewrite col_sc, dot_sc. reflexivity.
Qed.

Section Bridge.
Variable M : model.
Variable t : list nat.
Let u := / 2 ^ s M.
Definition U4 (M : model) : R := / 2 ^ (4 * s M).

Lemma u4 : u * u * (u * u) = U4 M.
Proof.
  unfold u, U4. replace (4 * s M)%nat with (s M + s M + (s M + s M))%nat by lia.
  rewrite !pow_add. pose proof (pow_lt 2 (s M) ltac:(lra)). field. lra.
Qed.

Lemma real_mat_sc A : real_mat M A = map (sc u) A.
Proof. reflexivity. Qed.

Lemma x_sc i : x M t i = sc u (Xz M (nth i t 0%nat) i).
Proof.
  unfold x, Xz. rewrite !real_mat_sc.
  rewrite (nth_map_dflt (sc u) _ _ [] []), (nth_map_dflt (sc u) _ _ [] []) by reflexivity.
  apply vadd_sc.
Qed.

(** Scores: [s_i = QK[q][t_i][i] * 2^-4s / sqrt h]. *)
Lemma score_QK i :
  score M t i = IZR (QKz M (nth (n M - 1) t 0%nat) (nth i t 0%nat) i) * U4 M / sqrt (INR (h M)).
Proof.
  unfold score, xq, QKz, Qz, Kz. rewrite !x_sc, !real_mat_sc, !vecmat_sc, dot_sc, <- u4.
  reflexivity.
Qed.

Lemma EU_bridge j : (j < V M)%nat ->
  nth j (vecmat (xq M t) (real_mat M (WU M)) (V M)) 0 =
  IZR (nth j (EUz M (nth (n M - 1) t 0%nat)) 0%Z) * U4 M.
Proof.
  intro Hj. unfold xq, EUz. rewrite x_sc, real_mat_sc, vecmat_sc, nth_sc.
  rewrite (nth_map_dflt _ _ _ 0%Z 0%Z) by reflexivity.
  rewrite mult_IZR, <- pow_IZR, <- u4.
  replace (2 * s M)%nat with (s M + s M)%nat by lia. rewrite pow_add.
  unfold u. pose proof (pow_lt 2 (s M) ltac:(lra)). field. lra.
Qed.

Lemma OV_bridge i j :
  nth j (vecmat (vecmat (vecmat (x M t i) (real_mat M (WV M)) (h M)) (real_mat M (WO M)) (d M))
                (real_mat M (WU M)) (V M)) 0 =
  IZR (nth j (OVz M (nth i t 0%nat) i) 0%Z) * U4 M.
Proof.
  unfold OVz. rewrite x_sc, !real_mat_sc, !vecmat_sc, nth_sc, <- u4. f_equal. ring.
Qed.

(** Logits: [logit_j = (EU[q][j] + sum_i attn_i OV[t_i][i][j]) * 2^-4s]. *)
Lemma logit_tables j : (j < V M)%nat ->
  logit M t j = IZR (nth j (EUz M (nth (n M - 1) t 0%nat)) 0%Z) * U4 M
    + Rsum (n M) (fun i => attn M t i * (IZR (nth j (OVz M (nth i t 0%nat) i) 0%Z) * U4 M)).
Proof.
  intro Hj. unfold logit. rewrite EU_bridge by exact Hj. f_equal.
  apply Rsum_ext. intros i _. rewrite OV_bridge. reflexivity.
Qed.
End Bridge.

(** ** Distributivity over [X = E + P], used to compute the tables with fewer products *)
Lemma length_zvecmat u A c : length (zvecmat u A c) = c.
Proof. unfold zvecmat. rewrite map_length, seq_length. reflexivity. Qed.

Lemma length_zvadd x y : length (zvadd x y) = Nat.min (length x) (length y).
Proof. unfold zvadd. rewrite map_length, combine_length. reflexivity. Qed.

Lemma zdot_vadd_l x y z : length x = length y -> zdot (zvadd x y) z = (zdot x z + zdot y z)%Z.
Proof.
  revert y z; induction x as [|a x IH]; intros [|b y] [|c z] H; simpl in H; try discriminate;
    unfold zdot, zvadd in *; simpl; try lia.
  rewrite IH by lia. lia.
Qed.

Lemma zdot_comm u v : zdot u v = zdot v u.
Proof.
  revert v; induction u as [|a u IH]; intros [|b v]; unfold zdot in *; simpl; auto.
  rewrite IH. lia.
Qed.

Lemma zdot_vadd_r u x y : length x = length y -> zdot u (zvadd x y) = (zdot u x + zdot u y)%Z.
Proof. intro H. rewrite !(zdot_comm u). apply zdot_vadd_l, H. Qed.

Lemma zvecmat_vadd x y A c : length x = length y ->
  zvecmat (zvadd x y) A c = zvadd (zvecmat x A c) (zvecmat y A c).
Proof.
  intro H. unfold zvecmat, zvadd at 2. generalize 0%nat as st. induction c as [|c IH]; intro st; simpl; auto.
  rewrite zdot_vadd_l by auto. f_equal. apply IH.
Qed.

Lemma nth_zvadd x y j : (j < length x)%nat -> (j < length y)%nat ->
  nth j (zvadd x y) 0%Z = (nth j x 0 + nth j y 0)%Z.
Proof.
  revert y j; induction x as [|a x IH]; intros [|b y] [|j] Hx Hy; simpl in *; try lia.
  apply IH; lia.
Qed.
