// The sergeant's page, opened from the SMS link `/s/<verification_id>`: sign in, see who asks
// and where, Accept (first sergeant wins), compare the registry photo with the live video, decide.
import { api } from './api.js';
import { currentUser, showWho, signIn } from './auth.js';
import {
  $, STATUS_WORDS, TERMINAL, pageConfig, personName, setText, showError, showOnly, statusClass, waitingTime,
} from './dom.js';
import { setUpPush } from './push.js';
import { joinOrFallBack } from './video.js';

const SECTIONS = ['sign-in', 'request', 'call', 'done'];
const POLL_MS = 4000;
const config = pageConfig();
const path = `/verifications/${encodeURIComponent(config.verificationId)}`;
let user = null;
let verification = null;
let call = null;
let poll = null;
let clock = null;

function explain(error) {
  if (error.status === 401) {
    window.location.reload(); // token expired: sign in again
    return;
  }
  const messages = {
    not_found: 'This check does not exist, or it is not for your force.',
    not_on_duty: 'You are not on duty as available, so you cannot accept. Set yourself available first.',
    forbidden: 'You cannot do this with your account.',
    invalid_state: 'This check has moved on: the page is now up to date.',
  };
  showError(messages[error.code] || error.message);
}

function renderFacts(v) {
  setText('officer-name', personName(v.officer));
  setText('reference', v.reference);
  setText('where', v.area || (v.location ? `${v.location.lat.toFixed(5)}, ${v.location.lon.toFixed(5)}` : ''));
  const map = $('map-link');
  if (v.location) {
    const { lat, lon } = v.location;
    map.href = `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=17/${lat}/${lon}`;
    map.hidden = false;
  }
  const status = $('request-status');
  status.textContent = STATUS_WORDS[v.status] || v.status;
  status.className = statusClass(v.status);
  setText('waiting', waitingTime(v.created_at));
}

function render() {
  const v = verification;
  if (TERMINAL.has(v.status)) {
    finish(v);
    return;
  }
  renderFacts(v);
  const mine = v.sergeant && v.sergeant.officer_id === user.officerId;
  if (v.status === 'connected' && mine && !call) {
    accept(); // reopened link or page reload: rejoin the call
    return;
  }
  showOnly(SECTIONS, 'request');
  $('accept').hidden = v.status !== 'awaiting_sergeant';
  const taken = $('taken');
  taken.hidden = !(v.status === 'connected' && !mine);
  if (!taken.hidden) taken.textContent = `Already taken by ${v.sergeant.rank} ${v.sergeant.family_name}. Nothing for you to do.`;
}

async function refresh() {
  try {
    verification = await api(path, { token: user.token });
    showError('');
    render();
  } catch (error) {
    explain(error);
  }
}

async function accept() {
  const button = $('accept');
  button.disabled = true;
  try {
    const body = await api(`${path}/accept`, { token: user.token, method: 'POST', body: {} });
    verification = body;
    enterCall(body);
  } catch (error) {
    if (error.code === 'already_accepted') await refresh();
    else explain(error);
  } finally {
    button.disabled = false;
  }
}

async function enterCall(body) {
  showError('');
  showOnly(SECTIONS, 'call');
  const record = body.officer_record || {};
  const photo = $('registry-photo');
  if (record.photo_url) photo.src = record.photo_url;
  const serving = record.status === 'serving';
  setText('registry-caption',
    `Registry: ${personName(record)}${serving ? '' : ` - status ${record.status}: do not confirm`}`);
  if (!call) call = await joinOrFallBack(body.meeting, config.video, showError);
  showRadioRoute(call ? null : body.officer || verification.officer);
}

/** No call at all: the officer's radio call sign and, in plain words, the control room's route. */
function showRadioRoute(officer) {
  const route = $('radio-route');
  route.hidden = !officer;
  if (!officer) return;
  setText('radio-call-sign', `${officer.rank} ${officer.officer_id}`);
}

/** How the sergeant saw the officer: on video, or (audio only, or no call at all) not on video. */
function method() {
  return call && !call.audioOnly ? 'video' : 'audio';
}

async function decide(outcome) {
  const buttons = [$('confirm'), $('deny')];
  buttons.forEach((b) => { b.disabled = true; });
  const note = $('note').value.trim();
  try {
    verification = await api(`${path}/outcome`, {
      token: user.token, method: 'POST', body: { outcome, method: method(), ...(note ? { note } : {}) },
    });
    finish(verification);
  } catch (error) {
    explain(error);
    await refresh();
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
}

async function finish(v) {
  clearInterval(poll);
  clearInterval(clock);
  if (call) {
    await call.stop().catch(() => {});
    call = null;
  }
  showOnly(SECTIONS, 'done');
  const who = personName(v.officer);
  const titles = {
    confirmed: `Confirmed: ${who}`,
    not_confirmed: `Not confirmed: ${who}. The control room has been alerted.`,
    cancelled: 'The officer cancelled this check.',
    unanswered: 'No sergeant answered in time. The control room has been alerted.',
    expired: 'No decision was recorded in time. The control room has been alerted.',
  };
  setText('done-title', titles[v.status] || STATUS_WORDS[v.status]);
  const decider = v.decided_by || v.sergeant;
  let by = decider && decider.officer_id !== user.officerId ? ` by ${decider.rank} ${decider.family_name}` : '';
  if (v.decided_by && v.decided_by.role === 'control_room') by = ` by the control room (${v.decided_by.rank} ${v.decided_by.family_name})`;
  const how = { video: ' by video call', audio: ' by audio call', radio: ' by radio' }[v.method] || '';
  setText('done-detail', `Reference ${v.reference}${v.decided_at ? `, decided${by}${how} at ${v.decided_at.slice(11, 16)} UTC` : ''}.`);
}

async function main() {
  user = currentUser();
  if (!user || !user.roles.includes('sergeant')) {
    showOnly(SECTIONS, 'sign-in');
    user = await signIn(config, 'sergeant');
  }
  showWho(user, () => window.location.reload());
  setUpPush(user).catch(() => {}); // an offer beside the request: never in its way
  $('accept').addEventListener('click', accept);
  $('confirm').addEventListener('click', () => decide('confirmed'));
  $('deny').addEventListener('click', () => decide('not_confirmed'));
  await refresh();
  poll = setInterval(() => { if (!call) refresh(); }, POLL_MS);
  clock = setInterval(() => { if (verification) setText('waiting', waitingTime(verification.created_at)); }, 1000);
}

main();
