"""Screens of the tutor app: lesson picker, lesson, help, results, sandbox."""
