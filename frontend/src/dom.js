// Small DOM helpers shared by the staff pages.

export const $ = (id) => document.getElementById(id);

export function showOnly(sections, visible) {
  for (const id of sections) $(id).hidden = id !== visible;
}

export function setText(id, text) {
  $(id).textContent = text;
}

export function showError(message) {
  const box = $('error');
  box.textContent = message || '';
  box.hidden = !message;
}

/** Page config written by the server into <main data-…> (public values only). */
export function pageConfig() {
  const data = $('app').dataset;
  return {
    cognitoEndpoint: data.cognitoEndpoint,
    clientId: data.clientId,
    issuer: data.issuer,
    video: data.video,
    verificationId: data.verificationId,
  };
}

/** The API lives beside the pages: strip `/s/<id>`, `/o` or `/c` (keeps any stage prefix such as `/api`). */
export function apiBase() {
  return window.location.pathname.replace(/\/(s\/[^/]*|o|c)\/?$/, '');
}

export function personName(person) {
  if (!person) return '';
  return `${person.rank} ${person.given_name ? `${person.given_name} ` : ''}${person.family_name} (${person.officer_id})`;
}

export function waitingTime(sinceIso) {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(sinceIso)) / 1000));
  const minutes = Math.floor(seconds / 60);
  return minutes ? `${minutes} min ${seconds % 60} s` : `${seconds} s`;
}

export const STATUS_WORDS = {
  awaiting_sergeant: 'Waiting for a sergeant',
  connected: 'Sergeant on the call',
  confirmed: 'Confirmed',
  not_confirmed: 'Not confirmed',
  cancelled: 'Cancelled',
  unanswered: 'No sergeant answered',
  expired: 'No decision in time',
};

export const TERMINAL = new Set(['confirmed', 'not_confirmed', 'cancelled', 'unanswered', 'expired']);

export function statusClass(status) {
  if (status === 'confirmed') return 'pill ok';
  return TERMINAL.has(status) ? 'pill bad' : 'pill wait';
}
