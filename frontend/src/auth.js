// Sign-in against Cognito from the browser (USER_PASSWORD_AUTH, with an MFA code step when the
// pool asks for one). The ID token stays in sessionStorage: gone when the tab closes, never in a URL.
import { $ } from './dom.js';

const TOKEN_KEY = 'safe-connection.id-token';
const CODE_CHALLENGES = { SOFTWARE_TOKEN_MFA: 'SOFTWARE_TOKEN_MFA_CODE', SMS_MFA: 'SMS_MFA_CODE' };

function claimsOf(token) {
  const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  const bytes = Uint8Array.from(atob(part + '='.repeat((4 - (part.length % 4)) % 4)), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

/** The signed-in user, or null when there is no token or it is about to expire. */
export function currentUser() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) return null;
  try {
    const claims = claimsOf(token);
    if (claims.exp * 1000 < Date.now() + 30_000) throw new Error('expired');
    return { token, claims, roles: claims['cognito:groups'] || [], officerId: claims['custom:officer_id'] };
  } catch {
    sessionStorage.removeItem(TOKEN_KEY);
    return null;
  }
}

export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
}

async function cognito(config, action, body) {
  let response;
  try {
    response = await fetch(config.cognitoEndpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': `AWSCognitoIdentityProviderService.${action}`,
      },
      body: JSON.stringify(body),
    });
  } catch {
    throw new Error('No connection to the sign-in service. Check your signal, or use the radio.');
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const type = String(data.__type || '').split('#').pop();
    if (type === 'NotAuthorizedException' || type === 'UserNotFoundException') throw new Error('Wrong username or password.');
    if (type === 'CodeMismatchException' || type === 'ExpiredCodeException') throw new Error('That code is not right. Try again.');
    throw new Error('Sign-in failed. Try again, or use the radio.');
  }
  return data;
}

/**
 * Shows the sign-in form and resolves with the user once signed in with the given role.
 * A user of another role is told so and not kept signed in.
 */
export function signIn(config, role) {
  const form = $('sign-in-form');
  const message = $('sign-in-error');
  let challenge = null;
  $('username').focus();
  return new Promise((resolve) => {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      message.textContent = '';
      const username = $('username').value.trim();
      const button = form.querySelector('button[type=submit]');
      button.disabled = true;
      try {
        const result = challenge
          ? await cognito(config, 'RespondToAuthChallenge', {
            ChallengeName: challenge.name,
            ClientId: config.clientId,
            Session: challenge.session,
            ChallengeResponses: { USERNAME: username, [CODE_CHALLENGES[challenge.name]]: $('code').value.trim() },
          })
          : await cognito(config, 'InitiateAuth', {
            AuthFlow: 'USER_PASSWORD_AUTH',
            ClientId: config.clientId,
            AuthParameters: { USERNAME: username, PASSWORD: $('password').value },
          });
        if (result.ChallengeName) {
          if (!CODE_CHALLENGES[result.ChallengeName]) {
            throw new Error('Your account needs setting up first: ask your force administrator.');
          }
          challenge = { name: result.ChallengeName, session: result.Session };
          $('code-row').hidden = false;
          $('code').focus();
          return;
        }
        sessionStorage.setItem(TOKEN_KEY, result.AuthenticationResult.IdToken);
        const user = currentUser();
        if (!user || !user.roles.includes(role)) {
          signOut();
          throw new Error(`This page is for ${role}s. You are signed in with another role.`);
        }
        $('password').value = '';
        $('code').value = '';
        resolve(user);
      } catch (error) {
        message.textContent = error.message;
      } finally {
        button.disabled = false;
      }
    });
  });
}

export function showWho(user, onSignOut) {
  $('who').hidden = false;
  $('who-name').textContent = user.officerId || '';
  $('sign-out').onclick = () => {
    signOut();
    onSignOut();
  };
}
