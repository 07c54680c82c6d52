"""The command line's verbs, one module each; ``audit.cli`` gathers them into the group.

A command reads its options, builds the typed values the pipeline takes (``audit.commands.
options``) and calls the pipeline or the domain; it holds no rule, format or engine detail.
"""
