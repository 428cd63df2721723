// "Requests on this phone": the sergeant turns Web Push on or off for this browser. A request then
// comes as a notification first (sergeant-sw.js shows it and tells the API), and as a text only
// when this phone did not show it within a few seconds (chalicelib/domain/push.py).
import { api } from './api.js';
import { $, apiBase, setText } from './dom.js';

const PATH = '/me/push-subscription';
const READY_MS = 15000;
const FAILED = 'This browser could not turn on notifications. You will still get texts.';
const NOT_ALLOWED = 'This browser has not allowed notifications for this site, so requests still come by text. '
  + 'You can allow them in the browser settings, then try again.';

/** The worker beside the pages, controlling `<root>/s/` (its response allows that scope). */
const worker = () => ({ script: `${apiBase()}/static/sergeant-sw.js`, scope: `${apiBase()}/s/` });

/** PushManager wants the server's key as bytes; the API gives it as base64url. */
function keyBytes(base64url) {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function currentSubscription() {
  const registration = await navigator.serviceWorker.getRegistration(worker().scope);
  return registration ? registration.pushManager.getSubscription() : null;
}

/** Offer push on this page, if this browser can do it and the service offers it; else stay hidden. */
export async function setUpPush(user) {
  if (!('serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window)) return;
  let status;
  try {
    status = await api(PATH, { token: user.token });
  } catch {
    return; // no offer today: every request is texted, as before
  }
  if (status.push === 'unavailable' || !status.application_server_key) return;
  const key = status.application_server_key;
  const section = $('push');
  const button = $('push-toggle');
  let on = false;

  function show(nowOn, message) {
    on = nowOn;
    $('push-explain').hidden = on;
    button.textContent = on ? 'Turn off' : 'Get requests as notifications on this phone';
    setText('push-status', message || (on ? 'Notifications are on for this phone.' : ''));
  }

  async function turnOn() {
    try {
      if (await Notification.requestPermission() !== 'granted') {
        show(false, NOT_ALLOWED);
        return;
      }
      const { script, scope } = worker();
      await navigator.serviceWorker.register(script, { scope });
      // `ready` is for the page's own scope, which this worker controls (the page is under `s/`).
      const registration = await Promise.race([navigator.serviceWorker.ready, new Promise((_, reject) => {
        setTimeout(() => reject(new Error('The service worker did not start.')), READY_MS);
      })]);
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true, applicationServerKey: keyBytes(key),
      });
      const body = await api(PATH, { token: user.token, method: 'PUT', body: subscription.toJSON() });
      show(body.push === 'on', body.push === 'on' ? '' : FAILED);
    } catch (error) {
      if (error.status === 401) window.location.reload(); // token expired: sign in again
      show(false, FAILED);
    }
  }

  async function turnOff() {
    try {
      // This browser's subscription goes first; the API's record of it is removed even if that fails.
      const subscription = await currentSubscription().catch(() => null);
      if (subscription) await subscription.unsubscribe().catch(() => false);
      await api(PATH, { token: user.token, method: 'DELETE' });
      show(false, 'Notifications are off for this phone. Requests come by text.');
    } catch (error) {
      if (error.status === 401) window.location.reload();
      show(on, 'Notifications could not be turned off. Try again.');
    }
  }

  button.addEventListener('click', async () => {
    if (button.disabled) return;
    button.disabled = true;
    try {
      await (on ? turnOff() : turnOn());
    } finally {
      button.disabled = false;
    }
  });

  // On for this sergeant, and this browser holds the subscription: on for this phone. On for
  // another phone of theirs (the newest phone wins): off here, until they turn it on here too.
  const here = await currentSubscription().catch(() => null);
  show(status.push === 'on' && Boolean(here));
  section.hidden = false;
}
