// A sound and a vibration for each kind of result, so that the volunteer at the door need not
// read the screen: one high beep (checked in), two (already in), one low (refused).

let audio = null;

// Browsers start sound only after a touch or a key: the first one unlocks it.
export function unlockSoundOnFirstTouch() {
  function unlock() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) { audio = new Context(); }
    if (audio && audio.state === "suspended") { audio.resume(); }
  }
  document.addEventListener("pointerdown", unlock);
  document.addEventListener("keydown", unlock);
}

function beep(frequency, seconds, delay) {
  if (!audio || audio.state !== "running") { return; }
  const start = audio.currentTime + (delay || 0);
  const oscillator = audio.createOscillator();
  const gain = audio.createGain();
  oscillator.frequency.value = frequency;
  gain.gain.setValueAtTime(0.25, start);
  gain.gain.exponentialRampToValueAtTime(0.001, start + seconds);
  oscillator.connect(gain).connect(audio.destination);
  oscillator.start(start);
  oscillator.stop(start + seconds);
}

// colour: "ok", "warn", "bad" or "wait" (see result.js).
export function feedback(colour) {
  const patterns = { ok: [120], warn: [80, 80, 80], bad: [300, 120, 300], wait: [60] };
  if (navigator.vibrate) { navigator.vibrate(patterns[colour] || 0); }
  if (colour === "ok") { beep(1046, 0.15); }
  else if (colour === "warn") { beep(660, 0.12); beep(660, 0.12, 0.18); }
  else if (colour === "bad") { beep(220, 0.45); }
  else { beep(520, 0.08); }
}
