(** * Functions: the claim of a function-family certificate (issue 14).

    A function of pybridge's description language denotes a real function [R -> R]: numbers are exact
    rationals, [+ - * /] are Coq's real operations, [x ** n] is [x ^ n] (or [/ x ^ n] for n < 0),
    [abs] is [Rabs], [math.sin/cos/tan/exp/log/sqrt] are Coq's [sin], [cos], [tan], [exp], [ln],
    [sqrt], [math.pi] is [PI]. Certificates with comparisons, floor/ceil/sign, min/max or tanh are
    checked by the Python checker only (the exporter refuses them).

    The claim: [f] and [g] differ by at most [eps] at every point of a domain, a finite union of
    closed intervals [a, b]. *)

From Coq Require Import Reals Lra List.
Import ListNotations.
Open Scope R_scope.

(** |f x - g x| <= eps for every x in [a, b]. *)
Definition agree_on (f g : R -> R) (eps a b : R) : Prop :=
  forall x, a <= x <= b -> Rabs (f x - g x) <= eps.

(** x lies in one of the closed intervals of the domain. *)
Fixpoint in_domain (ds : list (R * R)) (x : R) : Prop :=
  match ds with
  | [] => False
  | (a, b) :: r => (a <= x <= b) \/ in_domain r x
  end.

(** The claim of a certificate. *)
Definition agree_on_domain (f g : R -> R) (eps : R) (ds : list (R * R)) : Prop :=
  forall x, in_domain ds x -> Rabs (f x - g x) <= eps.

(** ** How certificates prove it (each box once, then these two lemmas, proven once). *)

(** Consecutive boxes [a, p1], [p1, p2], ..., [pk, b]. *)
Fixpoint chain (f g : R -> R) (eps a : R) (ps : list R) : Prop :=
  match ps with
  | [] => True
  | p :: r => agree_on f g eps a p /\ chain f g eps p r
  end.

Fixpoint last_of (a : R) (ps : list R) : R :=
  match ps with
  | [] => a
  | p :: r => last_of p r
  end.

Lemma chain_sound : forall f g eps ps a p,
  chain f g eps a (p :: ps) -> agree_on f g eps a (last_of p ps).
Proof.
  intros f g eps ps. induction ps as [| q ps IH]; intros a p [Hap Hrest].
  - exact Hap.
  - intros x Hx. cbn [last_of] in Hx. destruct (Rle_dec x p) as [Hle | Hgt].
    + apply Hap. lra.
    + apply (IH p q Hrest). lra.
Qed.

Fixpoint all_pieces (f g : R -> R) (eps : R) (ds : list (R * R)) : Prop :=
  match ds with
  | [] => True
  | (a, b) :: r => agree_on f g eps a b /\ all_pieces f g eps r
  end.

Lemma all_pieces_sound : forall f g eps ds, all_pieces f g eps ds -> agree_on_domain f g eps ds.
Proof.
  intros f g eps ds. induction ds as [| [a b] r IH]; intros H x Hx.
  - destruct Hx.
  - destruct H as [Hab Hr]. destruct Hx as [Hx | Hx].
    + exact (Hab x Hx).
    + exact (IH Hr x Hx).
Qed.
