"""The assessment as named stages, each a function from frozen inputs to a frozen output:
load the evidence, measure and judge each requirement, score, apply the audit's history
(reviews, tracking, baseline), render. ``audit.api`` and ``audit assess`` call these in order.
"""
