// The control room's page `/c`: sign in, then the force's board (GET /control/board every 2 s):
// alerts to acknowledge (a banner and a beep for each new one), live checks with a map link, and
// the radio fallback (POST /verifications/{id}/radio-confirmation) when the video check cannot work.
import { beep, watchSound } from './alarm.js';
import { ApiError, api } from './api.js';
import { currentUser, showWho, signIn, signOut } from './auth.js';
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
let seen = null; // ids of the unacknowledged alerts already announced
let busy = false;
let poller = null;
let actionFailed = false; // an action's error stays shown until her next action

function explain(error) {
  if (error.status === 401) {
    // Expired, or refused for any other reason: this token will not work again, so forget it
    // before reloading (or a clock that disagrees with the server's would reload every 2 s).
    signOut();
    window.location.reload();
    return;
  }
  if (!(error instanceof ApiError)) {
    showError('The board cannot reach the service, so it is not up to date. Use the radio.');
    return;
  }
  const messages = {
    not_found: 'This no longer exists, or it is not for your force.',
    forbidden: 'You cannot do this with your account.',
    officer_not_serving: 'The registry does not list you as serving, so the board is closed to you.',
    invalid_state: 'This has moved on: the board is now up to date.',
  };
  showError(messages[error.code] || error.message);
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

function referenceText(reference) {
  return el('span', reference, 'nowrap'); // read over the radio: never split across lines
}

// The person stopped asking for help herself comes before everything else still open.
const URGENT_KINDS = new Set(['citizen_unsafe']);

/** The board's order (unacknowledged first, newest first), with open urgent alerts moved to the top. */
function onTop(alerts) {
  const urgent = (a) => !a.acknowledged_by && URGENT_KINDS.has(a.kind);
  return [...alerts.filter(urgent), ...alerts.filter((a) => !urgent(a))];
}

function alertCard(alert) {
  const urgent = !alert.acknowledged_by && URGENT_KINDS.has(alert.kind);
  const card = el('li', undefined, `card ${alert.acknowledged_by ? 'done' : 'open'}${urgent ? ' urgent' : ''}`);
  card.append(el('h3', KIND_WORDS[alert.kind] || alert.kind));
  const raised = el('p', `${alert.raised_at.slice(11, 19)} UTC`);
  if (alert.reference) raised.append(' - reference ', referenceText(alert.reference));
  card.append(raised);
  if (alert.officer) card.append(el('p', `Officer: ${personName({ ...alert.officer, rank: alert.officer.rank || '', family_name: alert.officer.family_name || '' })}`));
  card.append(where(alert));
  // A citizen's own words about where she is (citizen_request, citizen_unsafe): shown as text only.
  if (alert.where) card.append(el('p', `She says she is at: ${alert.where}`, 'her-words'));
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
  button.dataset.control = 'acknowledge';
  button.addEventListener('click', () => acknowledge(alert.alert_id, note.value.trim(), button));
  card.append(label, note, button);
  return card;
}

function waitingText(check) {
  return `waiting ${minutes(check.waiting_seconds)}, ${check.waves_sent} wave(s) of texts sent`;
}

function activeCard(check) {
  const card = el('li', undefined, 'card');
  const status = el('p', STATUS_WORDS[check.status] || check.status, statusClass(check.status));
  card.append(el('h3', personName(check.officer)), status);
  const line = el('p', 'Reference ');
  line.append(referenceText(check.reference), ' - ', el('span', waitingText(check), 'waiting'));
  card.append(line);
  if (check.sergeant) card.append(el('p', `Accepted by ${personName(check.sergeant)}`));
  card.append(where(check));
  card.append(radioChoice(check));
  return card;
}

const RADIO = {
  confirmed: {
    ask: 'Confirm by radio', style: 'confirm', record: 'Yes: record confirmed by radio',
    question: (name) => `Did ${name} answer on the radio and give the warrant number the registry holds? `
      + 'The person stopped will see them confirmed by the control room.',
  },
  not_confirmed: {
    ask: 'Cannot confirm by radio', style: 'deny', record: 'Yes: record not confirmed',
    question: (name) => `Record that the control room could not confirm ${name} by radio? `
      + 'The person stopped will be told to call 999.',
  },
};

/**
 * The radio fallback in two steps: the choice, then what it tells the person stopped, an optional
 * note and the button that records it. One tap can never confirm someone as a police officer, and
 * the second button sits lower than the first, so a double tap does not either.
 */
function radioChoice(check) {
  const id = check.verification_id;
  const box = el('div', undefined, 'radio');
  const choices = el('div', undefined, 'decide');
  const panel = el('div', undefined, 'radio-panel');
  panel.hidden = true;
  const question = el('p', undefined, 'notice');
  question.id = `radio-question-${id}`;
  question.tabIndex = -1;
  const label = el('label', 'Note (optional)');
  const note = el('input');
  note.id = `radio-note-${id}`;
  note.maxLength = 500;
  note.dataset.control = 'radio-note';
  label.htmlFor = note.id;
  const record = el('button');
  record.type = 'button';
  record.dataset.control = 'radio-record';
  record.setAttribute('aria-describedby', question.id);
  const back = el('button', 'Back', 'link');
  back.type = 'button';
  let chosen = null;
  const asks = {};
  for (const [outcome, words] of Object.entries(RADIO)) {
    const button = el('button', words.ask, words.style);
    button.type = 'button';
    button.dataset.control = outcome;
    button.addEventListener('click', () => {
      chosen = outcome;
      question.textContent = words.question(personName(check.officer));
      record.textContent = words.record;
      record.className = words.style;
      choices.hidden = true;
      panel.hidden = false;
      question.focus();
    });
    asks[outcome] = button;
    choices.append(button);
  }
  record.addEventListener('click', () => radioConfirm(id, chosen, note.value.trim(), record));
  back.addEventListener('click', () => {
    panel.hidden = true;
    choices.hidden = false;
    asks[chosen].focus();
  });
  const buttons = el('div', undefined, 'decide');
  buttons.append(record);
  panel.append(question, label, note, buttons, el('p'));
  panel.lastChild.append(back);
  box.append(choices, panel);
  return box;
}

/**
 * Brings `list` in line with `items` without touching the cards that did not change: the board is
 * polled every 2 s, and a card rebuilt under the operator would take her keyboard focus, a click
 * half-made or a note half-typed with it (and make a screen reader read it all again).
 * Fields in `volatile` change on their own (the waiting time): `update(card, item)` refreshes them
 * in place. A card that did change is rebuilt, and her focus moves to the same control in it.
 */
function reconcile(list, items, keyOf, build, update, volatile = []) {
  const existing = new Map([...list.children].map((node) => [node.dataset.key, node]));
  let cursor = list.firstElementChild;
  for (const item of items) {
    const key = keyOf(item);
    const signature = JSON.stringify(item, (name, value) => (volatile.includes(name) ? undefined : value));
    let node = existing.get(key);
    existing.delete(key);
    let refocus = null;
    if (node && node.dataset.signature !== signature) {
      if (node.contains(document.activeElement)) refocus = document.activeElement.dataset.control;
      if (node === cursor) cursor = cursor.nextElementSibling;
      node.remove();
      node = undefined;
    }
    if (!node) {
      node = build(item);
      node.dataset.key = key;
      node.dataset.signature = signature;
    } else if (update) {
      update(node, item);
    }
    if (node === cursor) cursor = cursor.nextElementSibling;
    else list.insertBefore(node, cursor);
    if (refocus) node.querySelector(`[data-control="${refocus}"]`)?.focus();
  }
  for (const stale of existing.values()) stale.remove();
}

function announce(alerts) {
  const open = onTop(alerts).filter((a) => !a.acknowledged_by);
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
  reconcile($('alerts'), onTop(board.alerts), (a) => a.alert_id, alertCard);
  $('no-alerts').hidden = board.alerts.length > 0;
  reconcile($('active'), board.active, (c) => c.verification_id, activeCard, (card, check) => {
    card.querySelector('.waiting').textContent = waitingText(check);
  }, ['waiting_seconds', 'waves_sent']);
  $('no-active').hidden = board.active.length > 0;
  setText('board-status', `Updated ${new Date().toISOString().slice(11, 19)} UTC`);
}

async function refresh() {
  if (busy) return; // a request of the operator's is on its way: the next poll shows its result
  try {
    render(await api('/control/board', { token: user.token }));
    if (!actionFailed) showError('');
  } catch (error) {
    explain(error);
    if (error.status === 403) {
      // Refused on every request (SPEC §7.2): asking again every 2 s would only add refusals.
      clearInterval(poller);
      setText('board-status', 'Not updating.');
    }
  }
}

/** One operator action (a POST), then the board at once; its error stays shown until the next one. */
async function act(path, body, button) {
  busy = true;
  button.disabled = true;
  actionFailed = false;
  showError('');
  try {
    await api(path, { token: user.token, method: 'POST', body });
  } catch (error) {
    actionFailed = true;
    explain(error);
  } finally {
    busy = false;
    button.disabled = false; // an unchanged card is kept, not rebuilt: let her try again
    await refresh();
  }
}

function acknowledge(alertId, note, button) {
  return act(`/control/alerts/${encodeURIComponent(alertId)}/acknowledge`, note ? { note } : {}, button);
}

function radioConfirm(verificationId, outcome, note, button) {
  return act(`/verifications/${encodeURIComponent(verificationId)}/radio-confirmation`,
    note ? { outcome, note } : { outcome }, button);
}

async function main() {
  user = currentUser();
  if (!user || !user.roles.includes('control_room')) {
    showOnly(SECTIONS, 'sign-in');
    user = await signIn(config, 'control_room');
  }
  showWho(user, () => window.location.reload());
  showOnly(SECTIONS, 'board');
  watchSound($('sound-on'));
  poller = setInterval(refresh, POLL_MS); // first, so a refusal on the first poll can stop it
  await refresh();
}

main();
