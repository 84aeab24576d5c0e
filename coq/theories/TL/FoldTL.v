(** * FoldTL: the logits of [SpecTL] rewritten for a fast brute force (CHECKING.md 5c).

    With [VO_i = v_i W_O], [XB = x_{n-1} + b_O] and [a_i] the attention weights,
    [resid = XB + sum_i a_i VO_i] (linearity of [W_O]); hence, with LayerNorm,
    [resid - mean resid = (XB - mean XB) + sum_i a_i (VO_i - mean VO_i)] and
    [logit_j = rho * sum_k (resid_k - mean) w_k U_kj + (sum_k b_k U_kj + bU_j)],
    [rho = 1 / sqrt(var + eps)], so the per-input work is [O(n V + n d)] given per-(token, position)
    tables [sum_k (VO_ik - mean VO_i) w_k U_kj]. *)
From Coq Require Import ZArith Reals List Lia Lra.
From Pybridge Require Import ListUtil SpecTL.
From Pybridge Require Spec.
Import ListNotations.
Local Open Scope R_scope.

Lemma Rsum_zero m : Spec.Rsum m (fun _ => 0) = 0.
Proof. induction m as [|m IH]; [reflexivity|]. rewrite Rsum_S, IH. ring. Qed.

Lemma Rsum_swap m nn (f : nat -> nat -> R) :
  Spec.Rsum m (fun k => Spec.Rsum nn (fun i => f i k)) = Spec.Rsum nn (fun i => Spec.Rsum m (fun k => f i k)).
Proof.
  induction m as [|m IH].
  - rewrite (Rsum_ext nn _ (fun _ => 0)) by reflexivity. rewrite Rsum_zero. reflexivity.
  - rewrite Rsum_S, IH. rewrite <- Rsum_plus. apply Rsum_ext. intros. rewrite Rsum_S. reflexivity.
Qed.


(** Linearity used twice: [sum_k (c_k + sum_i a_i o_ik) p_k = sum_k c_k p_k + sum_i a_i sum_k o_ik p_k]. *)
Lemma lin_fold m nn (c p : nat -> R) (a : nat -> R) (o : nat -> nat -> R) :
  Spec.Rsum m (fun k => (c k + Spec.Rsum nn (fun i => a i * o i k)) * p k) =
  Spec.Rsum m (fun k => c k * p k) + Spec.Rsum nn (fun i => a i * Spec.Rsum m (fun k => o i k * p k)).
Proof.
  rewrite (Rsum_ext m _ (fun k => c k * p k + Spec.Rsum nn (fun i => a i * o i k * p k))).
  2: { intros k _. rewrite Rmult_plus_distr_r. f_equal. rewrite Rmult_comm, <- Rsum_scal.
       apply Rsum_ext. intros. ring. }
  rewrite Rsum_plus, Rsum_swap. f_equal. apply Rsum_ext. intros. rewrite <- Rsum_scal.
  apply Rsum_ext. intros. ring.
Qed.

Section Fold.
Variables (M : tlmodel) (t : list nat).
Let a := attn M t.
Definition VO (i k : nat) : R := vecmat M (h M) (vv M t i) (WO M) k.
Definition XB (k : nat) : R := x M t (n M - 1) k + vent M (bO M) k.
Definition mean (u : nat -> R) : R := Spec.Rsum (d M) u / INR (d M).

Lemma resid_fold k : resid M t k = XB k + Spec.Rsum (n M) (fun i => attn M t i * VO i k).
Proof.
  unfold resid, XB, VO, vecmat, zh.
  rewrite (Rsum_ext (h M) _ (fun j => Spec.Rsum (n M) (fun i => attn M t i * (vv M t i j * ent M (WO M) j k)))).
  2: { intros j _. rewrite Rmult_comm, <- Rsum_scal. apply Rsum_ext. intros. ring. }
  rewrite Rsum_swap. rewrite (Rsum_ext (n M) (fun i => Spec.Rsum (h M) _) (fun i => attn M t i * Spec.Rsum (h M) (fun j => vv M t i j * ent M (WO M) j k))).
  2: { intros. rewrite <- Rsum_scal. reflexivity. }
  ring.
Qed.

Hypothesis Hd : (1 <= d M)%nat.

Lemma centre_fold k : resid M t k - mean (resid M t) =
  (XB k - mean XB) + Spec.Rsum (n M) (fun i => attn M t i * (VO i k - mean (VO i))).
Proof.
  assert (HdR : 0 < INR (d M)) by (apply lt_0_INR; lia).
  assert (Hm : mean (resid M t) = mean XB + Spec.Rsum (n M) (fun i => attn M t i * mean (VO i))).
  { unfold mean. rewrite (Rsum_ext (d M) (resid M t) (fun k => XB k + Spec.Rsum (n M) (fun i => attn M t i * VO i k)))
      by (intros; apply resid_fold).
    rewrite Rsum_plus, Rsum_swap.
    rewrite (Rsum_ext (n M) (fun i => Spec.Rsum (d M) _) (fun i => attn M t i * Spec.Rsum (d M) (VO i)))
      by (intros; rewrite <- Rsum_scal; reflexivity).
    unfold Rdiv. rewrite Rmult_plus_distr_r. f_equal. rewrite Rmult_comm, <- Rsum_scal.
    apply Rsum_ext. intros. ring. }
  rewrite Hm, resid_fold.
  rewrite (Rsum_ext (n M) (fun i => attn M t i * (VO i k - mean (VO i)))
                          (fun i => attn M t i * VO i k - attn M t i * mean (VO i))) by (intros; ring).
  rewrite Rsum_minus. ring.
Qed.

(** The logits, folded.  [P k j] is the weight the centred (LN) or raw residual meets. *)
Definition Pw' (k j : nat) : R := (if ln M then vent M (lnfw M) k else 1) * ent M (WU M) k j.
Definition Cx (k : nat) : R := if ln M then XB k - mean XB else XB k.
Definition Co (i k : nat) : R := if ln M then VO i k - mean (VO i) else VO i k.
Definition rho : R :=
  if ln M then / sqrt (Spec.Rsum (d M) (fun l => (resid M t l - mean (resid M t)) * (resid M t l - mean (resid M t))) / INR (d M) + eps M)
  else 1.
Definition BB (j : nat) : R :=
  (if ln M then Spec.Rsum (d M) (fun k => vent M (lnfb M) k * ent M (WU M) k j) else 0) + vent M (bU M) j.

Lemma centred_fold k : (if ln M then resid M t k - mean (resid M t) else resid M t k) =
  Cx k + Spec.Rsum (n M) (fun i => attn M t i * Co i k).
Proof.
  unfold Cx, Co. destruct (ln M); [apply centre_fold|apply resid_fold].
Qed.

Lemma logit_fold j : logit M t j =
  rho * (Spec.Rsum (d M) (fun k => Cx k * Pw' k j) + Spec.Rsum (n M) (fun i => attn M t i * Spec.Rsum (d M) (fun k => Co i k * Pw' k j)))
  + BB j.
Proof.
  rewrite <- lin_fold. unfold logit, vecmat, BB, rho, Pw'.
  rewrite (Rsum_ext (d M) (fun k => (Cx k + Spec.Rsum (n M) (fun i => attn M t i * Co i k)) *
                                     ((if ln M then vent M (lnfw M) k else 1) * ent M (WU M) k j))
                          (fun k => (if ln M then resid M t k - mean (resid M t) else resid M t k) *
                                     ((if ln M then vent M (lnfw M) k else 1) * ent M (WU M) k j)))
    by (intros; rewrite centred_fold; reflexivity).
  unfold fin. destruct (ln M).
  - unfold layernorm, mean. cbv zeta.
    rewrite <- Rsum_scal, <- Rplus_assoc, <- Rsum_plus. f_equal. apply Rsum_ext. intros k _.
    unfold Rdiv. ring.
  - rewrite <- Rsum_scal, Rplus_0_l. f_equal. apply Rsum_ext. intros. ring.
Qed.
End Fold.
