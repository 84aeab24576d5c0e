(** * Spec: what a pybridge certificate for a Max-of-k model claims.

    This file is the whole statement a reviewer has to read (see docs/CHECKING.md, section 1).
    It mentions no checker.  A model is given by integer matrices [Z_M] and an exponent [s]; the
    real matrix is [Z_M / 2^s].  Vectors are lists of reals, matrices are lists of rows. *)
From Coq Require Import ZArith Reals List.
Import ListNotations.
Local Open Scope R_scope.

(** Dot product, vector sum, column [j] of a matrix, row vector times a matrix with [c] columns,
    and a finite sum [sum_{i < n} f i]. *)
Definition dot (u v : list R) : R := fold_right Rplus 0 (map (fun p => fst p * snd p) (combine u v)).
Definition vadd (u v : list R) : list R := map (fun p => fst p + snd p) (combine u v).
Definition col (A : list (list R)) (j : nat) : list R := map (fun row => nth j row 0) A.
Definition vecmat (u : list R) (A : list (list R)) (c : nat) : list R :=
  map (fun j => dot u (col A j)) (seq 0 c).
Definition Rsum (n : nat) (f : nat -> R) : R := fold_right Rplus 0 (map f (seq 0 n)).

(** One layer, one head, attention only, zero biases.  Vocabulary [V], context [n], model width
    [d], head width [h].  [Pos] is the positional embedding. *)
Record model := mk_model {
  V : nat; n : nat; d : nat; h : nat; s : nat;
  E : list (list Z); Pos : list (list Z);
  WQ : list (list Z); WK : list (list Z); WV : list (list Z); WO : list (list Z);
  WU : list (list Z) }.

Section Semantics.
Variable M : model.
Variable t : list nat.   (** the input tokens t_0 .. t_{n-1} *)

(** The real matrix denoted by an integer matrix: entries [z / 2^s]. *)
Definition real_mat (A : list (list Z)) : list (list R) :=
  map (map (fun z => IZR z / 2 ^ s M)) A.

(** Residual stream at position [i]: [x_i = E[t_i] + P[i]]. *)
Definition x (i : nat) : list R :=
  vadd (nth (nth i t 0%nat) (real_mat (E M)) []) (nth i (real_mat (Pos M)) []).

(** The query is the last position. *)
Definition xq : list R := x (n M - 1).

(** Attention score [(x_q WQ).(x_i WK) / sqrt h]. *)
Definition score (i : nat) : R :=
  dot (vecmat xq (real_mat (WQ M)) (h M)) (vecmat (x i) (real_mat (WK M)) (h M))
  / sqrt (INR (h M)).

(** Softmax with the real exponential. *)
Definition attn (i : nat) : R := exp (score i) / Rsum (n M) (fun k => exp (score k)).

(** [logit = x_q WU + sum_i attn_i (x_i WV WO WU)], component [j]. *)
Definition logit (j : nat) : R :=
  nth j (vecmat xq (real_mat (WU M)) (V M)) 0
  + Rsum (n M) (fun i => attn i *
      nth j (vecmat (vecmat (vecmat (x i) (real_mat (WV M)) (h M)) (real_mat (WO M)) (d M))
                    (real_mat (WU M)) (V M)) 0).
End Semantics.

(** Valid inputs: [n] tokens, each below [V]. *)
Definition valid (M : model) (t : list nat) : Prop :=
  length t = n M /\ (forall a, In a t -> (a < V M)%nat).

(** The model is correct on [t] iff the logit of [max t] beats every other logit (ties fail). *)
Definition correct (M : model) (t : list nat) : Prop :=
  forall j, (j < V M)%nat -> j <> list_max t -> logit M t j < logit M t (list_max t).

(** The claim of a certificate: at least [N] distinct valid inputs are classified correctly. *)
Definition accuracy_at_least (M : model) (N : Z) : Prop :=
  exists l : list (list nat),
    NoDup l /\ (forall t, In t l -> valid M t /\ correct M t) /\ (N <= Z.of_nat (length l))%Z.
