"""Rule types: each evaluator turns one requirement's rule and the evidence into a Finding."""
