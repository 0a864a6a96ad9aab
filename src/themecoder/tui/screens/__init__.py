"""Screens and modal dialogs of the coding app."""
