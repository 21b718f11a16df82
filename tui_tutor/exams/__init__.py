"""Exams: a file that picks questions from lessons, the attempts learners make, the report.

Free of Textual: the app's exam screens (``tui_tutor/app/screens/exam.py``) draw what
``attempt.py`` keeps.
"""
