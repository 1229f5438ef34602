"""Datalog on pyDatalog: compile, stratify, evaluate, explain, provenance graphs."""
