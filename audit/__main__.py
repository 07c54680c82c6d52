"""Allows ``python -m audit``."""

from audit.launch import main

main()
