"""Screens of the rules that need reference data (ODS, postcodes, NICIP, SNOMED CT)."""
