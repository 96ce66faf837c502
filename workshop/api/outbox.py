"""API row for sending invitation e-mails."""
