"""The SUBMISSION side: what runs in the student's process.

The sandbox's worker (``worker``, ``driver``, ``cells``, ``watch``), the probes that
drive an answer and return plain arrays (``probes``), and ``check()``'s in-process
driver (``inprocess``). Nothing here imports ``autograder.grader``: references, wrong
variants and verdicts never reach the submission's process.
"""
