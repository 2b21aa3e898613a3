//! Evaluation: the four stages (`on` rules, `each` rules, limits, pools)
//! over a validated log, producing grants with provenance.
