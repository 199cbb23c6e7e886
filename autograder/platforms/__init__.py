"""The platforms courses grade on: Gradescope (``gradescope``) and GitHub Classroom (``classroom``)."""
