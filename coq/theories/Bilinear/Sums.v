(** * Bilinear/Sums: finite sums over [R] (Spec.rsum), the lemmas the soundness proofs use. *)
From Coq Require Import ZArith Reals List Lra Lia Setoid Morphisms.
From Pybridge.Bilinear Require Import Spec.
Open Scope R_scope.

Lemma rsum_ext n f g : (forall k, (k < n)%nat -> f k = g k) -> rsum n f = rsum n g.
Proof.
  induction n as [|n IH]; intros H; simpl; [reflexivity|].
  rewrite IH by (intros; apply H; lia). rewrite (H n) by lia. reflexivity.
Qed.

#[export] Instance rsum_proper n : Proper (pointwise_relation nat eq ==> eq) (rsum n).
Proof. intros f g H. apply rsum_ext. intros k _. apply H. Qed.

Lemma rsum_plus n f g : rsum n (fun k => f k + g k) = rsum n f + rsum n g.
Proof. induction n as [|n IH]; simpl; [lra|]. rewrite IH. lra. Qed.

Lemma rsum_scal n c f : rsum n (fun k => c * f k) = c * rsum n f.
Proof. induction n as [|n IH]; simpl; [lra|]. rewrite IH. lra. Qed.

Lemma rsum_scal_r n c f : rsum n (fun k => f k * c) = rsum n f * c.
Proof. induction n as [|n IH]; simpl; [lra|]. rewrite IH. lra. Qed.

Lemma rsum_zero n : rsum n (fun _ => 0) = 0.
Proof. induction n as [|n IH]; simpl; [lra|]. rewrite IH. lra. Qed.

Lemma rsum_swap n m f : rsum n (fun i => rsum m (fun j => f i j)) = rsum m (fun j => rsum n (fun i => f i j)).
Proof.
  induction n as [|n IH]; simpl.
  - symmetry. apply rsum_zero.
  - rewrite IH. rewrite <- rsum_plus. reflexivity.
Qed.

Lemma rsum_mul n m f g : rsum n f * rsum m g = rsum n (fun i => rsum m (fun j => f i * g j)).
Proof.
  rewrite <- rsum_scal_r. apply rsum_ext. intros i _. rewrite <- rsum_scal. reflexivity.
Qed.

Lemma rsum_nonneg n f : (forall k, (k < n)%nat -> 0 <= f k) -> 0 <= rsum n f.
Proof.
  induction n as [|n IH]; intros H; simpl; [lra|].
  assert (0 <= rsum n f) by (apply IH; intros; apply H; lia). specialize (H n ltac:(lia)). lra.
Qed.

Lemma rsum_nonneg_zero n f : (forall k, (k < n)%nat -> 0 <= f k) -> rsum n f = 0 -> forall k, (k < n)%nat -> f k = 0.
Proof.
  induction n as [|n IH]; intros H Hs k Hk; [lia|]. simpl in Hs.
  assert (0 <= rsum n f) by (apply rsum_nonneg; intros; apply H; lia).
  assert (0 <= f n) by (apply H; lia).
  destruct (Nat.eq_dec k n) as [->|Hne]; [lra|].
  assert (Hk' : (k < n)%nat) by lia.
  refine (IH _ _ k Hk'); [intros j Hj; apply H; lia | lra].
Qed.

(** [sum_i sum_j (P i j + P j i) = 2 sum_i sum_j P i j]. *)
Lemma rsum2_sym d (P : nat -> nat -> R) :
  rsum d (fun i => rsum d (fun j => P i j + P j i)) = 2 * rsum d (fun i => rsum d (fun j => P i j)).
Proof.
  setoid_rewrite rsum_plus. rewrite rsum_plus.
  assert (E : rsum d (fun i => rsum d (fun j => P j i)) = rsum d (fun i => rsum d (fun j => P i j)))
    by exact (rsum_swap d d (fun i j => P j i)).
  assert (F : rsum d (fun i => rsum d (P i)) = rsum d (fun i => rsum d (fun j => P i j))) by reflexivity.
  rewrite E, F. lra.
Qed.

(** Indicator sums (one-hot inputs). *)
Lemma rsum_ind_out n a f : (n <= a)%nat -> rsum n (fun i => f i * (if Nat.eqb i a then 1 else 0)) = 0.
Proof.
  induction n as [|n IH]; intros H; simpl; [reflexivity|].
  rewrite IH by lia. destruct (Nat.eqb_spec n a); [lia|]. lra.
Qed.

Lemma rsum_ind n a f : (a < n)%nat -> rsum n (fun i => f i * (if Nat.eqb i a then 1 else 0)) = f a.
Proof.
  induction n as [|n IH]; intros H; [lia|]. simpl.
  destruct (Nat.eqb_spec n a) as [->|Hne].
  - rewrite rsum_ind_out by lia. lra.
  - rewrite IH by lia. lra.
Qed.

(** Integer sums and their real reading. *)
Fixpoint zsum (n : nat) (f : nat -> Z) : Z :=
  match n with O => 0%Z | S n' => (zsum n' f + f n')%Z end.

Lemma IZR_zsum n f : IZR (zsum n f) = rsum n (fun k => IZR (f k)).
Proof. induction n as [|n IH]; simpl; [reflexivity|]. rewrite plus_IZR, IH. reflexivity. Qed.
