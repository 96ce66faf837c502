"""Follow-up tasks: conclusions turned into what an agency must do by a date, the agency's
reports from its task link, the organizer's follow-up, and the series of editions."""
