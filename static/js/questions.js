// How the live question pages (the attendee's phone, the chair's console, the projector) write
// who asked, the same as templates/questions/_items.html does.

// "Name, title – agency".
export function askerLine(question, anonymousLabel) {
  if (question.anonymous) { return anonymousLabel; }
  const asker = question.asker;
  if (!asker) { return ""; }
  return asker.name + (asker.title ? ", " + asker.title : "") +
    (asker.organization ? " – " + asker.organization : "");
}

// The agency alone (the projector).
export function agency(question, anonymousLabel) {
  if (question.anonymous) { return anonymousLabel; }
  return question.asker ? (question.asker.organization || question.asker.name) : "";
}
