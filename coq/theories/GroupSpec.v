(** * GroupSpec: what a pybridge certificate for a group-operation MLP claims.

    The whole statement a reviewer reads for the [groupop] family (docs/CHECKING.md, section 8).
    It mentions no checker.

    Semantics over [Q] (Coq's exact rationals, QArith), not over [R]: the model computes only
    sums, products and ReLU ([max(., 0)]) of its weights, and every weight is a dyadic rational
    [z / 2^s]; so every pre-activation and every logit is a rational number and [Q] is already
    the exact arithmetic of the model (no exp, sqrt or limits are involved).  [Q] is an ordered
    subfield of [R], so the comparisons of logits stated here are the comparisons of the real
    numbers.  No axioms are needed: [Print Assumptions] of a certificate is empty.

    The group is generated here from its name; no table comes from the certificate. *)
From Coq Require Import ZArith QArith List.
Import ListNotations.

(** ** The groups (section 8.1)
    A permutation of [{0..n-1}] is the list of its images [[p(0); ..; p(n-1)]].  The product is
    composition with the right factor applied first: [(p*q)(i) = p(q(i))]. *)
Definition compose (p q : list nat) : list nat := map (fun i => nth i p 0%nat) q.

(** All [n]-tuples over [{0..m-1}], in lexicographic order. *)
Fixpoint tuples (m n : nat) : list (list nat) :=
  match n with
  | O => [[]]
  | S n' => flat_map (fun a => map (cons a) (tuples m n')) (seq 0 m)
  end.

(** [p] is a permutation of [{0..n-1}] (given length [n]): every [i < n] occurs in [p]. *)
Definition is_perm (n : nat) (p : list nat) : bool :=
  forallb (fun i => existsb (Nat.eqb i) p) (seq 0 n).

(** Number of inversions: pairs [i < j] with [p(i) > p(j)]. *)
Definition inversions (p : list nat) : nat :=
  let I := seq 0 (length p) in
  length (filter (fun ij => Nat.ltb (fst ij) (snd ij) && Nat.ltb (nth (snd ij) p 0%nat) (nth (fst ij) p 0%nat))
                 (list_prod I I)).

(** Rotation [i -> k + i] and reflection [i -> k - i] (mod [n]). *)
Definition rot (n k : nat) : list nat := map (fun i => (k + i) mod n) (seq 0 n).
Definition refl (n k : nat) : list nat := map (fun i => (k + n - i) mod n) (seq 0 n).

Inductive group := Sym (n : nat) | Alt (n : nat) | Cyc (n : nat) | Dih (n : nat).

Definition candidates (G : group) : list (list nat) :=
  match G with
  | Sym n => filter (is_perm n) (tuples n n)                                     (* S_n *)
  | Alt n => filter (fun p => is_perm n p && Nat.even (inversions p)) (tuples n n)  (* A_n *)
  | Cyc n => map (rot n) (seq 0 n)                                               (* C_n *)
  | Dih n => map (rot n) (seq 0 n) ++ map (refl n) (seq 0 n)                     (* D_n *)
  end.

(** Lexicographic comparison; insertion into a sorted list without duplicates. *)
Fixpoint lex (p q : list nat) : comparison :=
  match p, q with
  | [], [] => Eq
  | [], _ :: _ => Lt
  | _ :: _, [] => Gt
  | a :: p', b :: q' => match Nat.compare a b with Eq => lex p' q' | c => c end
  end.

Fixpoint insert (p : list nat) (l : list (list nat)) : list (list nat) :=
  match l with
  | [] => [p]
  | q :: l' => match lex p q with Lt => p :: l | Eq => l | Gt => q :: insert p l' end
  end.

(** The elements, as the sorted set of the candidates: element [x] is [nth x (elements G) []]. *)
Definition elements (G : group) : list (list nat) := fold_right insert [] (candidates G).
Definition order (G : group) : nat := length (elements G).

(** Position of [p] in [l] ([length l] if absent). *)
Fixpoint index (p : list nat) (l : list (list nat)) : nat :=
  match l with
  | [] => O
  | q :: l' => match lex p q with Eq => O | _ => S (index p l') end
  end.

(** The product of elements [x] and [y] of the list [els], as an index. *)
Definition mul_in (els : list (list nat)) (x y : nat) : nat :=
  index (compose (nth x els []) (nth y els [])) els.
Definition gmul (G : group) (x y : nat) : nat := mul_in (elements G) x y.

(** ** The model (section 8.2)
    Real weights are [Z_M / 2^s]: embeddings [EL], [ER] ([|G| x d_embed]), [WL], [WR]
    ([d_embed x d_hidden]), unembedding [WU] ([d_hidden x |G|]) and bias [bU] ([|G|]). *)
Record model := mk_model {
  grp : group; d_embed : nat; d_hidden : nat; s : nat;
  EL : list (list Z); ER : list (list Z); WL : list (list Z); WR : list (list Z);
  WU : list (list Z); bU : list Z }.

(** Finite sum [Qsum n f = f 0 + ... + f (n-1)]. *)
Definition Qsum (n : nat) (f : nat -> Q) : Q := fold_right Qplus 0 (map f (seq 0 n)).

Definition relu (a : Q) : Q := if Qle_bool a 0 then 0 else a.

Section Semantics.
Variable M : model.

Definition val (z : Z) : Q := inject_Z z / inject_Z (2 ^ Z.of_nat (s M)).
(** Entry [A[i][j]] of a matrix, as a rational. *)
Definition ent (A : list (list Z)) (i j : nat) : Q := val (nth j (nth i A []) 0%Z).

(** Hidden pre-activation [k] on the pair [(x, y)]: [(EL[x] WL + ER[y] WR)[k]]. *)
Definition pre (x y k : nat) : Q :=
  Qsum (d_embed M) (fun i => ent (EL M) x i * ent (WL M) i k)
  + Qsum (d_embed M) (fun i => ent (ER M) y i * ent (WR M) i k).

(** Logit of class [c]: [(relu(pre) WU)[c] + bU[c]]. *)
Definition logit (x y c : nat) : Q :=
  Qsum (d_hidden M) (fun k => relu (pre x y k) * ent (WU M) k c) + val (nth c (bU M) 0%Z).
End Semantics.

(** Correct on [(x, y)] iff the logit of [x*y] is strictly above every other logit. *)
Definition correct (M : model) (x y : nat) : Prop :=
  let z := gmul (grp M) x y in
  forall j, (j < order (grp M))%nat -> j <> z -> logit M x y j < logit M x y z.

(** The claim: at least [N] distinct pairs of elements are classified correctly. *)
Definition accuracy_at_least (M : model) (N : Z) : Prop :=
  exists l : list (nat * nat),
    NoDup l /\
    (forall p, In p l -> (fst p < order (grp M))%nat /\ (snd p < order (grp M))%nat /\
                         correct M (fst p) (snd p)) /\
    (N <= Z.of_nat (length l))%Z.
