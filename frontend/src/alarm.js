// The control room's alert sound. Browsers start Web Audio suspended on a page the operator has
// not clicked or typed on yet (autoplay policy): after a reload with her session still open, a
// beep would be silent and she would not know. So the page says the sound is off and offers a
// button; any click or key on the page turns it on too.

let audio = null;

function context() {
  audio = audio || new AudioContext();
  return audio;
}

/** Watch the sound's state from now on: `button` is shown while the browser keeps it off. */
export function watchSound(button) {
  let sound;
  try {
    sound = context();
  } catch {
    return; // no Web Audio at all: the banner is the alert
  }
  const show = () => {
    button.hidden = sound.state !== 'suspended';
  };
  const turnOn = () => {
    if (sound.state === 'suspended') sound.resume().then(show, show);
  };
  sound.addEventListener('statechange', show);
  button.addEventListener('click', turnOn);
  for (const type of ['pointerdown', 'keydown']) document.addEventListener(type, turnOn, { capture: true });
  show();
}

/** A short beep (Web Audio: no sound file, nothing for the CSP to allow). */
export function beep() {
  try {
    const sound = context();
    const tone = sound.createOscillator();
    const volume = sound.createGain();
    tone.frequency.value = 880;
    volume.gain.value = 0.2;
    tone.connect(volume).connect(sound.destination);
    tone.start();
    tone.stop(sound.currentTime + 0.4);
  } catch {
    // no audio device: the banner still shows
  }
}
