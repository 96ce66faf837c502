"""Lessons learned: the agencies' written contributions before, the attendees' feedback during."""
