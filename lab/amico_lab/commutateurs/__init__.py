"""Stateful IOS-like and ProCurve-like switch emulators on fakenos (see README.md)."""
