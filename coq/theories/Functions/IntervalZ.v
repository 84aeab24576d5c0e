(** The Interval library's tactic instantiated with floats on Coq's [Z] (Specific_stdz) instead of
    primitive floats or Int63 big integers, so that certificates depend only on the standard real-number
    axioms ([Print Assumptions cert_correct]). Certificates use [i_prec 60] (> 53, so the tactic never
    switches to primitive floats). *)
From Interval Require Tactic.
From Interval Require Import Specific_ops Specific_stdz.

Module SFZ := SpecificFloat StdZRadix2.
Module ITZ := Tactic.IntervalTactic SFZ.
