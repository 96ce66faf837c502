// The camera and jsQR (loaded before this module as a classic script: window.jsQR): a frame
// every 150 ms, scaled to 640 px wide, read for a QR code.
import { byId } from "../shared.js";

const SAME_CODE_MS = 4000;  // the same pass seen again this soon is the same person

// A filter for what the camera reads: true the first time a text is seen, false while it stays
// in front of the camera (each sighting within `ms` of the last one extends the wait).
export function firstSighting(ms, now) {
  const lastSeen = new Map();
  return function (text) {
    const time = now();
    const fresh = !(lastSeen.has(text) && time - lastSeen.get(text) < ms);
    lastSeen.set(text, time);
    return fresh;
  };
}

// onRead(text) for each pass put in front of the camera.
export function startCamera(words, onRead) {
  const video = byId("scan-video");
  const canvas = document.createElement("canvas");
  const context2d = canvas.getContext("2d", { willReadFrequently: true });
  const fresh = firstSighting(SAME_CODE_MS, Date.now);

  function message(text) {
    byId("scan-camera-text").textContent = text;
    byId("scan-camera-message").hidden = !text;
  }

  function open() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      message(window.isSecureContext ? words.camera_missing : words.camera_insecure);
      return;
    }
    message("");
    navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } }
    }).then(function (stream) {
      video.srcObject = stream;
      return video.play();
    }).catch(function (error) {
      message(error && error.name === "NotAllowedError" ? words.camera_denied : words.camera_missing);
    });
  }

  function decodeFrame() {
    if (!document.hidden && video.readyState >= 2 && video.videoWidth && window.jsQR) {
      const scale = Math.min(1, 640 / video.videoWidth);
      const width = Math.round(video.videoWidth * scale);
      const height = Math.round(video.videoHeight * scale);
      if (canvas.width !== width) { canvas.width = width; canvas.height = height; }
      context2d.drawImage(video, 0, 0, width, height);
      const image = context2d.getImageData(0, 0, width, height);
      const code = window.jsQR(image.data, width, height, { inversionAttempts: "dontInvert" });
      if (code && code.data && fresh(code.data)) { onRead(code.data); }
    }
    setTimeout(decodeFrame, 150);
  }

  byId("scan-camera-retry").addEventListener("click", open);
  open();
  decodeFrame();
}
