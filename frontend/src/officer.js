// The officer's page `/o`: sign in, start a verification (phone position, or the area typed by
// hand), show the reference large with the force site's address as text, join the call, follow
// the status live, cancel. No QR code and no link for the person stopped (SPEC §7.4): she types
// the address on her own phone, since a code shown on an officer's device is what a fake would forge.
import { api } from './api.js';
import { currentUser, showWho, signIn } from './auth.js';
import {
  $, STATUS_WORDS, TERMINAL, pageConfig, setText, showError, showOnly, statusClass,
} from './dom.js';
import { joinOrFallBack } from './video.js';

const SECTIONS = ['sign-in', 'start', 'active'];
const CHECK_KEY = 'safe-connection.officer-check';
const POLL_MS = 3000;
const config = pageConfig();
let user = null;
let check = null; // { verification, meeting }
let call = null;
let poll = null;

function remember() {
  if (check) sessionStorage.setItem(CHECK_KEY, JSON.stringify(check));
  else sessionStorage.removeItem(CHECK_KEY);
}

function position() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) {
      resolve(null);
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy_m: Math.round(p.coords.accuracy) }),
      () => resolve(null),
      { enableHighAccuracy: true, timeout: 10_000, maximumAge: 30_000 },
    );
  });
}

function explain(error) {
  if (error.status === 401) {
    window.location.reload();
    return;
  }
  const messages = {
    officer_not_serving: 'The registry does not list you as serving. You cannot start a check. Use the radio.',
    rate_limited: 'Too many checks started this hour. Use the radio.',
  };
  showError(messages[error.code] || error.message);
}

async function start() {
  const button = $('start-button');
  button.disabled = true;
  showError('');
  try {
    const location = await position();
    const area = $('area').value.trim();
    if (!location && !area) {
      const note = $('location-note');
      note.textContent = 'Your phone did not give a position. Type the area, then press Start again.';
      note.hidden = false;
      $('area').focus();
      return;
    }
    const body = { ...(location ? { location } : {}), ...(area ? { area } : {}) };
    try {
      const started = await api('/verifications', {
        token: user.token, method: 'POST', body, headers: { 'Idempotency-Key': crypto.randomUUID() },
      });
      check = { verification: started, meeting: started.meeting };
    } catch (error) {
      if (error.code !== 'active_verification_exists' || !error.body.verification_id) throw error;
      // Already running (e.g. started from another tab): show it; its call details stay there.
      check = { verification: await api(`/verifications/${error.body.verification_id}`, { token: user.token }), meeting: null };
    }
    remember();
    await showActive();
  } catch (error) {
    explain(error);
  } finally {
    button.disabled = false;
  }
}

function renderStatus() {
  const v = check.verification;
  const status = $('live-status');
  status.textContent = STATUS_WORDS[v.status] || v.status;
  status.className = statusClass(v.status);
  setText('advice', v.advice || '');
  const over = TERMINAL.has(v.status);
  $('cancel').hidden = over;
  $('new-check').hidden = !over;
}

async function showActive() {
  const v = check.verification;
  showOnly(SECTIONS, 'active');
  setText('reference', v.reference);
  renderStatus();
  if (TERMINAL.has(v.status)) return;
  if (!call && check.meeting) call = await joinOrFallBack(check.meeting, config.video, showError);
  clearInterval(poll);
  poll = setInterval(refresh, POLL_MS);
}

async function refresh() {
  try {
    const latest = await api(`/verifications/${check.verification.verification_id}`, { token: user.token });
    check.verification = latest;
    remember();
    renderStatus();
    if (TERMINAL.has(latest.status)) await stopCall();
  } catch (error) {
    explain(error);
  }
}

async function stopCall() {
  clearInterval(poll);
  if (call) {
    await call.stop().catch(() => {});
    call = null;
  }
}

async function cancel() {
  const button = $('cancel');
  button.disabled = true;
  try {
    const latest = await api(`/verifications/${check.verification.verification_id}/cancel`, {
      token: user.token, method: 'POST', body: {},
    });
    check.verification = latest;
    remember();
    await stopCall();
    renderStatus();
  } catch (error) {
    explain(error);
    await refresh();
  } finally {
    button.disabled = false;
  }
}

function startAgain() {
  check = null;
  remember();
  showOnly(SECTIONS, 'start');
  $('location-note').hidden = true;
}

async function main() {
  user = currentUser();
  if (!user || !user.roles.includes('officer')) {
    showOnly(SECTIONS, 'sign-in');
    user = await signIn(config, 'officer');
  }
  showWho(user, () => {
    sessionStorage.removeItem(CHECK_KEY);
    window.location.reload();
  });
  $('start-button').addEventListener('click', start);
  $('cancel').addEventListener('click', cancel);
  $('new-check').addEventListener('click', startAgain);
  const saved = sessionStorage.getItem(CHECK_KEY);
  check = saved ? JSON.parse(saved) : null;
  if (check) {
    await showActive();
    await refresh();
  } else {
    showOnly(SECTIONS, 'start');
  }
}

main();
