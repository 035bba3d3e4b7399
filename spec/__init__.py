"""Executable specification of the exercises of "Introduction to Deep Learning Theory"."""
