"""Locale formats of our own (``FORMAT_MODULE_PATH``): English is written as in the UK."""
