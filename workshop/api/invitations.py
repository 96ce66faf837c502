"""API rows for invitations, the attendee's own invitation (/me) and the answer (/rsvp)."""
