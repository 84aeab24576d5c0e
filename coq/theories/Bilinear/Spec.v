(** * Bilinear/Spec: what a pybridge certificate for a bilinear model claims.

    The whole statement a reviewer reads for the [bilinear] family (issue 13).  It mentions no checker.

    A model is one bilinear layer with an optional linear head, no biases:
      [f(x)_o = sum_c U[o][c] * y_c]  (or [y_o] without a head),
      [y_c = sum_h D[c][h] * (L_h . x) * (R_h . x)].
    Every weight is a dyadic rational [z / 2^s] (one exponent [s] per model); the data are the
    integers [z].  Semantics over the reals [R]; inputs [x] are arbitrary real vectors. *)
From Coq Require Import ZArith Reals List Lra Bool.
Import ListNotations.
Open Scope R_scope.

(** Finite sums [sum_{k < n} f k]. *)
Fixpoint rsum (n : nat) (f : nat -> R) : R :=
  match n with O => 0 | S n' => rsum n' f + f n' end.

Record model := Model {
  d_in : nat;            (** input dimension *)
  hid : nat;             (** hidden units H *)
  d_out : nat;           (** rows of D *)
  n_out : nat;           (** outputs: rows of U with a head, else d_out *)
  head : bool;
  s : nat;               (** weight = z / 2^s *)
  ZL : list (list Z);    (** H x d_in *)
  ZR : list (list Z);    (** H x d_in *)
  ZD : list (list Z);    (** d_out x H *)
  ZU : list (list Z)     (** n_out x d_out (ignored without a head) *)
}.

Definition w (m : model) (A : list (list Z)) (r c : nat) : R :=
  IZR (nth c (nth r A []) 0%Z) / 2 ^ s m.

(** The model's function, output [o] on input [x]. *)
Definition y (m : model) (x : nat -> R) (c : nat) : R :=
  rsum (hid m) (fun h => w m (ZD m) c h * rsum (d_in m) (fun i => w m (ZL m) h i * x i)
                                        * rsum (d_in m) (fun j => w m (ZR m) h j * x j)).
Definition eval (m : model) (x : nat -> R) (o : nat) : R :=
  if head m then rsum (d_out m) (fun c => w m (ZU m) o c * y m x c) else y m x o.

(** The symmetric tensor of the model: [f(x)_o = sum_{i,j} Bs[o][i][j] x_i x_j] (Bilinear/Check.v,
    [eval_quadratic]), with [Dfold = U D] (or [D]). *)
Definition Dfold (m : model) (o h : nat) : R :=
  if head m then rsum (d_out m) (fun c => w m (ZU m) o c * w m (ZD m) c h) else w m (ZD m) o h.
Definition Bs (m : model) (o i j : nat) : R :=
  rsum (hid m) (fun h => Dfold m o h * (w m (ZL m) h i * w m (ZR m) h j + w m (ZL m) h j * w m (ZR m) h i)) / 2.

(** Frobenius inner product of the symmetric tensors (materialised: the definition, not the method). *)
Definition tinner (A B : model) : R :=
  rsum (n_out A) (fun o => rsum (d_in A) (fun i => rsum (d_in A) (fun j => Bs A o i j * Bs B o i j))).

(** ** The claims *)
Definition same_shape (A B : model) : Prop := d_in A = d_in B /\ n_out A = n_out B.

(** [equivalent]: [f_B(x) = lambda f_A(x)] for every real input and every output. *)
Definition equivalent (A B : model) (lam : R) : Prop :=
  same_shape A B /\ 0 < lam /\ forall (x : nat -> R) (o : nat), (o < n_out A)%nat -> eval B x o = lam * eval A x o.

(** [similarity]: the cosine of the symmetric tensors is at least [c] ([0 <= c]), without square roots. *)
Definition similar_at_least (A B : model) (c : R) : Prop :=
  same_shape A B /\ 0 <= tinner A B /\ c * c * (tinner A A * tinner B B) <= tinner A B * tinner A B.

(** [distance]: [|f_A(x)_o - f_B(x)_o| <= delta |x|^2] for every real input and every output. *)
Definition within (A B : model) (delta : R) : Prop :=
  same_shape A B /\ 0 <= delta /\ forall (x : nat -> R) (o : nat), (o < n_out A)%nat ->
    Rabs (eval A x o - eval B x o) <= delta * rsum (d_in A) (fun i => x i * x i).

(** [brute-force] on modular addition: input [(a, b)] is [x = [onehot a; onehot b]] in [R^(2P)];
    correct iff the output [(a + b) mod P] is strictly the largest. *)
Definition onehot (P a b : nat) (i : nat) : R :=
  (if Nat.eqb i a then 1 else 0) + (if Nat.eqb i (P + b) then 1 else 0).
Definition correctb (m : model) (P a b : nat) : bool :=
  let t := Nat.modulo (a + b) P in
  forallb (fun c => orb (Nat.eqb c t)
                    (if Rlt_dec (eval m (onehot P a b) c) (eval m (onehot P a b) t) then true else false))
          (seq 0 P).
Definition accuracy_at_least (m : model) (P N : nat) : Prop :=
  (N <= length (filter (fun ab => correctb m P (fst ab) (snd ab)) (list_prod (seq 0 P) (seq 0 P))))%nat.
