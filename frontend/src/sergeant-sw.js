// The sergeant page's service worker (registered by push.js with scope `<root>/s/`): a check request
// pushed to this phone is shown as a notification, then its receipt goes back to the API, so the
// sergeant is not texted as well (chalicelib/domain/push.py). The receipt is posted only once the
// notification is shown: a phone that cannot show it says nothing, and the text follows in 5 s.

// Beside the pages, under any stage prefix: this script is `<root>/static/sergeant-sw.js`.
const RECEIPTS = new URL('../push/receipts', self.location).href;

async function showAndConfirm(message) {
  await self.registration.showNotification(message.title, {
    body: message.body,
    tag: message.verification_id, // one notification per check, even if pushed again
    renotify: true,
    requireInteraction: true,
    data: { url: message.url },
  });
  await fetch(RECEIPTS, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      verification_id: message.verification_id, sergeant: message.sergeant, receipt: message.receipt,
    }),
    keepalive: true,
  });
}

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let message;
  try {
    message = event.data ? event.data.json() : null;
  } catch {
    return; // not ours: every push this service sends is JSON
  }
  if (!message || !message.title) return;
  event.waitUntil(showAndConfirm(message).catch(() => {})); // nothing else to do: the text follows
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = event.notification.data && event.notification.data.url;
  if (!url) return;
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const open = windows.find((client) => client.url === url);
    if (open) await open.focus();
    else await self.clients.openWindow(url);
  })());
});
