"""Flet user interface of a Veldwerk device (thin: renders services values, calls services)."""
