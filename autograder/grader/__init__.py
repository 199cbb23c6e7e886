"""The GRADER side: exercise declarations, references, wrong variants, comparison, verdicts.

Runs only in the grader's process (and in a notebook's kernel for ``check()``). Nothing
under ``autograder.submission`` imports from here: the sandbox's worker needs none of it.
"""
