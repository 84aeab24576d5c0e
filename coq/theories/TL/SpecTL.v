(** * SpecTL: what a pybridge certificate for a TransformerLens Max-of-k model claims.

    The model of [Pybridge.Spec] with everything a real one-layer, one-head, attention-only
    TransformerLens model has besides: the biases [b_Q], [b_K], [b_V], [b_O], [b_U], and optionally
    LayerNorm ([ln1] before attention, [ln_final] before the unembedding) with the real [sqrt].
    This file is the whole statement a reviewer has to read; it mentions no checker.

    Every weight is an integer [z] standing for the real [z / 2^s]; the LayerNorm epsilon is the
    rational [eps_num / eps_den].  Vectors are functions [nat -> R] with an explicit dimension and
    a matrix entry [A[a][b]] is [nth b (nth a A []) 0] (rows of [A] are lists).  [LNPre] (no weight,
    no bias) is [ln = true] with every LayerNorm weight [2^s] (i.e. 1) and every LayerNorm bias 0.
    With zero biases and [ln = false] the logits below are those of [Pybridge.Spec] (by linearity
    of the unembedding and [sum_i attn_i = 1]); that equality is not proven in Coq. *)
From Coq Require Import ZArith Reals List.
From Pybridge Require Spec.
Import ListNotations.
Local Open Scope R_scope.

Record tlmodel := mk_tlmodel {
  V : nat; n : nat; d : nat; h : nat; s : nat;
  E : list (list Z); Pos : list (list Z);                      (** V x d, n x d *)
  WQ : list (list Z); WK : list (list Z); WV : list (list Z);  (** d x h *)
  WO : list (list Z); WU : list (list Z);                      (** h x d, d x V *)
  bQ : list Z; bK : list Z; bV : list Z; bO : list Z; bU : list Z;  (** h, h, h, d, V *)
  ln : bool;                                                   (** LayerNorm present? *)
  ln1w : list Z; ln1b : list Z; lnfw : list Z; lnfb : list Z;  (** d each *)
  eps_num : Z; eps_den : Z }.

(** [sum_{i < m} f i] *)
Notation Rsum := Spec.Rsum.

Section Semantics.
Variable M : tlmodel.

Definition wt (z : Z) : R := IZR z / 2 ^ s M.
Definition ent (A : list (list Z)) (a b : nat) : R := wt (nth b (nth a A []) 0%Z).
Definition vent (v : list Z) (a : nat) : R := wt (nth a v 0%Z).
(** Row vector [u] of dimension [m] times the matrix [A]. *)
Definition vecmat (m : nat) (u : nat -> R) (A : list (list Z)) (j : nat) : R :=
  Rsum m (fun k => u k * ent A k j).

Definition eps : R := IZR (eps_num M) / IZR (eps_den M).
(** TransformerLens LayerNorm of a [d]-vector (population variance). *)
Definition layernorm (u : nat -> R) (w b : list Z) (k : nat) : R :=
  let mu := Rsum (d M) u / INR (d M) in
  let var := Rsum (d M) (fun l => (u l - mu) * (u l - mu)) / INR (d M) in
  (u k - mu) / sqrt (var + eps) * vent w k + vent b k.

Variable t : list nat.   (** the input tokens t_0 .. t_{n-1} *)

(** Residual stream [x_i = E[t_i] + P[i]]; attention input [y_i = ln1(x_i)]. *)
Definition x (i k : nat) : R := ent (E M) (nth i t 0%nat) k + ent (Pos M) i k.
Definition y (i : nat) : nat -> R := if ln M then layernorm (x i) (ln1w M) (ln1b M) else x i.
(** Query (last position), keys and values. *)
Definition qv (j : nat) : R := vecmat (d M) (y (n M - 1)) (WQ M) j + vent (bQ M) j.
Definition kv (i j : nat) : R := vecmat (d M) (y i) (WK M) j + vent (bK M) j.
Definition vv (i j : nat) : R := vecmat (d M) (y i) (WV M) j + vent (bV M) j.
(** Attention score [q . k_i / sqrt h] and softmax with the real exponential. *)
Definition score (i : nat) : R := Rsum (h M) (fun j => qv j * kv i j) / sqrt (INR (h M)).
Definition attn (i : nat) : R := exp (score i) / Rsum (n M) (fun l => exp (score l)).
(** Head output [z = sum_i attn_i v_i]; residual [r = x_{n-1} + z W_O + b_O]; [ln_final]; logits. *)
Definition zh (j : nat) : R := Rsum (n M) (fun i => attn i * vv i j).
Definition resid (k : nat) : R := x (n M - 1) k + vecmat (h M) zh (WO M) k + vent (bO M) k.
Definition fin : nat -> R := if ln M then layernorm resid (lnfw M) (lnfb M) else resid.
Definition logit (j : nat) : R := vecmat (d M) fin (WU M) j + vent (bU M) j.
End Semantics.

(** Valid inputs: [n] tokens, each below [V]. *)
Definition valid (M : tlmodel) (t : list nat) : Prop :=
  length t = n M /\ (forall a, In a t -> (a < V M)%nat).

(** The model is correct on [t] iff the logit of [max t] beats every other logit (ties fail). *)
Definition correct (M : tlmodel) (t : list nat) : Prop :=
  forall j, (j < V M)%nat -> j <> list_max t -> logit M t j < logit M t (list_max t).

(** The claim of a certificate: at least [N] distinct valid inputs are classified correctly. *)
Definition accuracy_at_least (M : tlmodel) (N : Z) : Prop :=
  exists l : list (list nat),
    NoDup l /\ (forall t, In t l -> valid M t /\ correct M t) /\ (N <= Z.of_nat (length l))%Z.
