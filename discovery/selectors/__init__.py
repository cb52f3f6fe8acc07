"""Reads of discovery: who sees what (one selector per kind of object), matches, the band."""
