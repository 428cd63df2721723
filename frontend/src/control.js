// The control room's page `/c`: sign in, then the force's board (GET /control/board every 2 s):
// alerts to acknowledge (a banner and a beep for each new one), live checks with a map link, and
// the radio fallback (POST /verifications/{id}/radio-confirmation) when the video check cannot work.
import { api } from './api.js';
import { currentUser, showWho, signIn } from './auth.js';
import { $, STATUS_WORDS, pageConfig, personName, setText, showError, showOnly, statusClass } from './dom.js';

const SECTIONS = ['sign-in', 'board'];
const POLL_MS = 2000;
const config = pageConfig();
const KIND_WORDS = {
  verification_not_confirmed: 'Not confirmed by the sergeant',
  verification_unanswered: 'No sergeant answered',
  verification_expired: 'No decision in time',
  officer_not_serving: 'Officer not serving',
  rate_limited: 'Too many checks started',
  timer_failed: 'Check has no timeout: watch it',
  citizen_unsafe: 'The person stopped feels unsafe',
  citizen_request: 'A citizen asks for a check',
};
let user = null;
let audio = null;
let seen = null; // ids of the unacknowledged alerts already announced
let busy = false;

function explain(error) {
  if (error.status === 401) {
    window.location.reload(); // token expired: sign in again
    return;
  }
  const messages = {
    not_found: 'This no longer exists, or it is not for your force.',
    forbidden: 'You cannot do this with your account.',
    invalid_state: 'This has moved on: the board is now up to date.',
  };
  showError(messages[error.code] || error.message);
}

/** A short beep (Web Audio: no sound file, nothing for the CSP to allow). */
function beep() {
  try {
    audio = audio || new AudioContext();
    const tone = audio.createOscillator();
    const volume = audio.createGain();
    tone.frequency.value = 880;
    volume.gain.value = 0.2;
    tone.connect(volume).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.4);
  } catch {
    // no audio device: the banner still shows
  }
}

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function mapLink(location) {
  const { lat, lon } = location;
  const link = el('a', 'Map');
  link.href = `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=17/${lat}/${lon}`;
  link.target = '_blank';
  link.rel = 'noopener noreferrer';
  return link;
}

function where(item) {
  const line = el('p', `Where: ${item.area || (item.location
    ? `${item.location.lat.toFixed(5)}, ${item.location.lon.toFixed(5)}` : 'unknown')} `);
  if (item.location) line.append(mapLink(item.location));
  return line;
}

function minutes(seconds) {
  const m = Math.floor(seconds / 60);
  return m ? `${m} min ${seconds % 60} s` : `${seconds} s`;
}

function alertCard(alert) {
  const card = el('li', undefined, alert.acknowledged_by ? 'card done' : 'card open');
  card.append(el('h3', KIND_WORDS[alert.kind] || alert.kind));
  card.append(el('p', `${alert.raised_at.slice(11, 19)} UTC${alert.reference ? ` - reference ${alert.reference}` : ''}`));
  if (alert.officer) card.append(el('p', `Officer: ${personName({ ...alert.officer, rank: alert.officer.rank || '', family_name: alert.officer.family_name || '' })}`));
  card.append(where(alert));
  // A citizen's own words about where she is (citizen_request, citizen_unsafe): shown as text only.
  if (alert.where) card.append(el('p', `She says she is at: ${alert.where}`, 'citizen-words'));
  if (alert.acknowledged_by) {
    const by = alert.acknowledged_by;
    card.append(el('p', `Acknowledged by ${by.rank || ''} ${by.family_name || by.officer_id} at ${alert.acknowledged_at.slice(11, 19)} UTC${alert.note ? `: ${alert.note}` : ''}`));
    return card;
  }
  const label = el('label', 'Note (optional)');
  const note = el('input');
  note.maxLength = 500;
  note.id = `note-${alert.alert_id}`;
  label.htmlFor = note.id;
  const button = el('button', 'Acknowledge', 'primary');
  button.type = 'button';
  button.addEventListener('click', () => acknowledge(alert.alert_id, note.value.trim(), button));
  card.append(label, note, button);
  return card;
}

function activeCard(check) {
  const card = el('li', undefined, 'card');
  const status = el('p', STATUS_WORDS[check.status] || check.status, statusClass(check.status));
  card.append(el('h3', personName(check.officer)), status);
  card.append(el('p', `Reference ${check.reference} - waiting ${minutes(check.waiting_seconds)}, ${check.waves_sent} wave(s) of texts sent`));
  if (check.sergeant) card.append(el('p', `Accepted by ${personName(check.sergeant)}`));
  card.append(where(check));
  const radio = el('div', undefined, 'decide');
  for (const [outcome, text, style] of [['confirmed', 'Confirm by radio', 'confirm'], ['not_confirmed', 'Cannot confirm by radio', 'deny']]) {
    const button = el('button', text, style);
    button.type = 'button';
    button.addEventListener('click', () => radioConfirm(check.verification_id, outcome, button));
    radio.append(button);
  }
  card.append(radio);
  return card;
}

function announce(alerts) {
  const open = alerts.filter((a) => !a.acknowledged_by);
  const fresh = seen ? open.filter((a) => !seen.has(a.alert_id)) : open;
  seen = new Set(open.map((a) => a.alert_id));
  const banner = $('new-alert');
  if (fresh.length) {
    banner.textContent = `New alert: ${KIND_WORDS[fresh[0].kind] || fresh[0].kind}${fresh.length > 1 ? ` (+${fresh.length - 1} more)` : ''}`;
    banner.hidden = false;
    beep();
  } else if (!open.length) {
    banner.hidden = true;
  }
}

function render(board) {
  announce(board.alerts);
  // Redrawn every poll: keep what the operator is typing, and where.
  const typed = new Map([...document.querySelectorAll('#alerts input')].map((input) => [input.id, input.value]));
  const focused = document.activeElement && document.activeElement.id;
  $('alerts').replaceChildren(...board.alerts.map(alertCard));
  for (const [id, value] of typed) {
    const input = document.getElementById(id);
    if (input) input.value = value;
  }
  if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
  $('no-alerts').hidden = board.alerts.length > 0;
  $('active').replaceChildren(...board.active.map(activeCard));
  $('no-active').hidden = board.active.length > 0;
  setText('board-status', `Updated ${new Date().toISOString().slice(11, 19)} UTC`);
}

async function refresh() {
  if (busy) return; // a request of the operator's is on its way: the next poll shows its result
  try {
    render(await api('/control/board', { token: user.token }));
    showError('');
  } catch (error) {
    explain(error);
  }
}

async function acknowledge(alertId, note, button) {
  busy = true;
  button.disabled = true;
  try {
    await api(`/control/alerts/${encodeURIComponent(alertId)}/acknowledge`, {
      token: user.token, method: 'POST', body: note ? { note } : {},
    });
  } catch (error) {
    explain(error);
  } finally {
    busy = false;
    await refresh();
  }
}

async function radioConfirm(verificationId, outcome, button) {
  busy = true;
  button.disabled = true;
  try {
    await api(`/verifications/${encodeURIComponent(verificationId)}/radio-confirmation`, {
      token: user.token, method: 'POST', body: { outcome },
    });
  } catch (error) {
    explain(error);
  } finally {
    busy = false;
    await refresh();
  }
}

async function main() {
  user = currentUser();
  if (!user || !user.roles.includes('control_room')) {
    showOnly(SECTIONS, 'sign-in');
    user = await signIn(config, 'control_room');
  }
  showWho(user, () => window.location.reload());
  showOnly(SECTIONS, 'board');
  await refresh();
  setInterval(refresh, POLL_MS);
}

main();
