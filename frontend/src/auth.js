// Sign-in against Cognito from the browser, with every step a staff account meets, for every staff
// page (officer, sergeant, control room):
//   the password (USER_PASSWORD_AUTH);
//   first sign-in: a password of her own (NEW_PASSWORD_REQUIRED), then an authenticator app
//   (MFA_SETUP: AssociateSoftwareToken, a QR code and the key as text, VerifySoftwareToken);
//   later sign-ins: the app's code (SOFTWARE_TOKEN_MFA);
//   a forgotten password: a code from the pool's own message (ForgotPassword, ConfirmForgotPassword).
// One screen per step, its heading focused; errors in one alert region, above the step's button. The ID token stays
// in sessionStorage (gone when the tab closes), never in a URL.
import QRCode from 'qrcode';

import { $ } from './dom.js';

const TOKEN_KEY = 'safe-connection.id-token';
const STEPS = ['sign-in-form', 'new-password-form', 'mfa-setup-form', 'mfa-form', 'forgot-form', 'reset-form'];
const CODE = /^[0-9]{6}$/;

class CognitoError extends Error {
  constructor(type, message) {
    super(message);
    this.type = type;
  }
}

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
      cache: 'no-store',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': `AWSCognitoIdentityProviderService.${action}`,
      },
      body: JSON.stringify({ ClientId: config.clientId, ...body }),
    });
  } catch {
    throw new CognitoError('Offline', '');
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const type = String(data.__type || '').split('#').pop() || `http_${response.status}`;
    throw new CognitoError(type, String(data.message || data.Message || ''));
  }
  return data;
}

const GENERAL = {
  Offline: 'No connection to the sign-in service. Check your signal, or use the radio.',
  TooManyRequestsException: 'Too many attempts. Wait a few minutes, then try again, or use the radio.',
  LimitExceededException: 'Too many attempts. Wait a few minutes, then try again, or use the radio.',
  TooManyFailedAttemptsException: 'Too many attempts. Wait a few minutes, then try again, or use the radio.',
};
const WRONG_CODE = 'That code is not right. Check the time on your phone is set automatically, then type the code the app shows now.';
// A challenge's session ends after 3 minutes (or after too many wrong codes): Cognito then answers
// NotAuthorizedException, and the only way on is to start again.
const SESSION_ENDED = new Set(['NotAuthorizedException']);

/** Password rules as the server lists them (the pool's policy), checked as she types. */
function ruleChecks(list) {
  const symbols = list.dataset.symbols || '';
  const min = Number(list.dataset.minLength || 0);
  return {
    length: (p) => [...p].length >= min,
    upper: (p) => /[A-Z]/.test(p),
    lower: (p) => /[a-z]/.test(p),
    digit: (p) => /[0-9]/.test(p),
    symbol: (p) => [...p].some((c) => symbols.includes(c)) || p.trim().includes(' '),
  };
}

function checkRules(listId, password) {
  const list = $(listId);
  const checks = ruleChecks(list);
  let allMet = true;
  for (const item of list.querySelectorAll('li[data-rule]')) {
    const check = checks[item.dataset.rule];
    const met = check ? check(password) : true;
    allMet = allMet && met;
    item.classList.toggle('met', met);
    item.querySelector('.rule-state').textContent = met ? ' (done)' : ' (not yet)';
  }
  return allMet;
}

/** The new password in `inputId`, or throws with what is wrong (before Cognito sees it). */
function newPassword(inputId, againId, rulesId) {
  const password = $(inputId).value;
  if (!checkRules(rulesId, password)) throw new Error('This password does not meet every rule in the list yet.');
  if (password !== password.trim()) throw new Error('A password cannot begin or end with a space.');
  if (password !== $(againId).value) throw new Error('The two passwords are not the same. Type them again.');
  return password;
}

function otpauthUri(issuer, username, secret) {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(username)}`;
  return `otpauth://totp/${label}?secret=${secret}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=6&period=30`;
}

const digitsOf = (value) => value.replace(/\s+/g, '');

/**
 * Shows the sign-in screens and resolves with the user once signed in with the given role.
 * A user of another role is told so and not kept signed in.
 */
export function signIn(config, role) {
  const error = $('sign-in-error');
  const status = $('sign-in-status');
  let flow = null; // { username, session, passwordChanged, enrolling }

  function say(message) {
    error.textContent = message || '';
  }

  function notice(message) {
    status.textContent = message || '';
    status.hidden = !message;
  }

  function show(step, { focus = 'heading' } = {}) {
    for (const id of STEPS) $(id).hidden = id !== step;
    const form = $(step);
    // The one alert region sits just above the step's button, where her eyes are when she presses it.
    form.querySelector('button[type=submit]').before(error);
    const target = focus === 'heading' ? form.querySelector('h1') : form.querySelector('input');
    target.focus();
  }

  function explain(problem, messages = {}) {
    const text = messages[problem.type] || GENERAL[problem.type];
    if (text) return text;
    if (problem instanceof CognitoError) return 'Sign-in failed. Try again, or use the radio.';
    return problem.message;
  }

  function restart(message) {
    flow = null;
    $('password').value = '';
    for (const id of ['new-password', 'new-password-again', 'mfa-setup-code', 'mfa-code']) $(id).value = '';
    show('sign-in-form');
    say(message);
  }

  function sessionEnded() {
    let message = 'Sign-in has started again: a step took longer than the 3 minutes the sign-in service allows, '
      + 'or a code was wrong too many times. Type your username and password.';
    if (flow && flow.passwordChanged) message += ' Use the new password you chose.';
    if (flow && flow.enrolling) {
      message += ' If you added Safe Connection to your authenticator app, delete that entry: you will be given a new one.';
    }
    restart(message);
  }

  // Runs a step's submit: one request at a time, errors shown, a session Cognito ended restarts.
  function onSubmit(formId, handler, { challenge = true } = {}) {
    const form = $(formId);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const button = form.querySelector('button[type=submit]');
      if (button.disabled) return;
      button.disabled = true;
      say('');
      try {
        await handler();
      } catch (problem) {
        if (challenge && problem instanceof CognitoError && SESSION_ENDED.has(problem.type)) sessionEnded();
        else say(problem.shown || explain(problem));
      } finally {
        button.disabled = false;
      }
    });
  }

  function shown(message) {
    const problem = new Error(message);
    problem.shown = message;
    return problem;
  }

  async function call(action, body, messages) {
    try {
      return await cognito(config, action, body);
    } catch (problem) {
      if (problem instanceof CognitoError && messages && messages[problem.type]) {
        const wrapped = shown(typeof messages[problem.type] === 'function'
          ? messages[problem.type](problem) : messages[problem.type]);
        wrapped.type = problem.type;
        throw wrapped;
      }
      throw problem;
    }
  }

  return new Promise((resolve) => {
    async function finish(result) {
      sessionStorage.setItem(TOKEN_KEY, result.IdToken);
      const user = currentUser();
      if (!user || !user.roles.includes(role)) {
        signOut();
        restart(`This page is for ${role}s. You are signed in with another role.`);
        return;
      }
      flow = null;
      for (const id of ['password', 'mfa-code', 'mfa-setup-code', 'new-password', 'new-password-again']) $(id).value = '';
      notice('');
      say('');
      resolve(user);
    }

    async function startMfaSetup() {
      flow.enrolling = true;
      const association = await call('AssociateSoftwareToken', { Session: flow.session });
      flow.session = association.Session || flow.session;
      const secret = association.SecretCode.toUpperCase().replace(/=+$/, '');
      const uri = otpauthUri(config.issuer, flow.username, secret);
      $('mfa-qr').src = await QRCode.toDataURL(uri, { width: 220, margin: 2, errorCorrectionLevel: 'M' });
      $('mfa-secret').textContent = secret.match(/.{1,4}/g).join(' ');
      $('mfa-app-link').href = uri;
      show('mfa-setup-form');
    }

    async function next(result) {
      if (result.AuthenticationResult) {
        await finish(result.AuthenticationResult);
        return;
      }
      flow.session = result.Session;
      if (result.ChallengeName === 'NEW_PASSWORD_REQUIRED') {
        checkRules('new-password-rules', '');
        show('new-password-form');
      } else if (result.ChallengeName === 'MFA_SETUP') {
        await startMfaSetup();
      } else if (result.ChallengeName === 'SOFTWARE_TOKEN_MFA') {
        show('mfa-form');
      } else {
        restart(`Your account needs a sign-in step this page does not offer (${result.ChallengeName}). Ask your force administrator.`);
      }
    }

    onSubmit('sign-in-form', async () => {
      const username = $('username').value.trim();
      const password = $('password').value;
      if (!username || !password) throw shown('Type your username and your password.');
      notice('');
      try {
        flow = { username };
        await next(await call('InitiateAuth', {
          AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password },
        }, {
          NotAuthorizedException: 'Wrong username or password. If it keeps happening, your account may be disabled: ask your force administrator.',
          UserNotFoundException: 'Wrong username or password.',
        }));
      } catch (problem) {
        if (problem.type !== 'PasswordResetRequiredException') throw problem;
        openForgot('Your password has to be reset before you can sign in. Ask for a code below.');
      }
    }, { challenge: false });

    onSubmit('new-password-form', async () => {
      const password = newPassword('new-password', 'new-password-again', 'new-password-rules');
      const result = await call('RespondToAuthChallenge', {
        ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: flow.session,
        ChallengeResponses: { USERNAME: flow.username, NEW_PASSWORD: password },
      }, {
        InvalidPasswordException: (p) => `The sign-in service did not accept this password: ${p.message || 'choose another.'}`,
      });
      flow.passwordChanged = true;
      await next(result);
    });

    onSubmit('mfa-setup-form', async () => {
      const code = digitsOf($('mfa-setup-code').value);
      if (!CODE.test(code)) throw shown('Type the 6 digits your authenticator app shows for Safe Connection.');
      const mismatch = { CodeMismatchException: WRONG_CODE, EnableSoftwareTokenMFAException: WRONG_CODE };
      const verified = await call('VerifySoftwareToken', {
        Session: flow.session, UserCode: code, FriendlyDeviceName: 'Safe Connection',
      }, mismatch).catch((problem) => {
        $('mfa-setup-code').value = '';
        throw problem;
      });
      if (verified.Status !== 'SUCCESS') throw shown(WRONG_CODE);
      flow.session = verified.Session || flow.session;
      await next(await call('RespondToAuthChallenge', {
        ChallengeName: 'MFA_SETUP', Session: flow.session, ChallengeResponses: { USERNAME: flow.username },
      }));
    });

    onSubmit('mfa-form', async () => {
      const code = digitsOf($('mfa-code').value);
      if (!CODE.test(code)) throw shown('Type the 6 digits your authenticator app shows for Safe Connection.');
      const result = await call('RespondToAuthChallenge', {
        ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: flow.session,
        ChallengeResponses: { USERNAME: flow.username, SOFTWARE_TOKEN_MFA_CODE: code },
      }, { CodeMismatchException: WRONG_CODE, ExpiredCodeException: WRONG_CODE }).catch((problem) => {
        $('mfa-code').value = '';
        throw problem;
      });
      await next(result);
    });

    // ---- a forgotten password ---------------------------------------------------------------

    const cannotReset = 'Your password cannot be reset from this page. Ask your force administrator to reset it.';
    const forgotMessages = { NotAuthorizedException: cannotReset, InvalidParameterException: cannotReset };

    function openForgot(message) {
      flow = null;
      $('forgot-username').value = $('username').value.trim();
      show('forgot-form');
      say(message || '');
    }

    async function sendCode() {
      const username = $('forgot-username').value.trim();
      if (!username) throw shown('Type your username.');
      const sent = await call('ForgotPassword', { Username: username }, forgotMessages);
      const where = sent.CodeDeliveryDetails && sent.CodeDeliveryDetails.Destination;
      $('reset-sent').textContent = `We have sent a code to ${where || 'the email address your force holds for you'}. `
        + 'It can take a few minutes to arrive.';
      return username;
    }

    let resetUsername = null;
    onSubmit('forgot-form', async () => {
      resetUsername = await sendCode();
      checkRules('reset-password-rules', '');
      show('reset-form');
    }, { challenge: false });

    onSubmit('reset-form', async () => {
      const code = $('reset-code').value.trim();
      if (!code) throw shown('Type the code from the message we sent you.');
      const password = newPassword('reset-password', 'reset-password-again', 'reset-password-rules');
      await call('ConfirmForgotPassword', { Username: resetUsername, ConfirmationCode: code, Password: password }, {
        CodeMismatchException: 'That code is not right. Check the latest message we sent, or ask for a new code.',
        ExpiredCodeException: 'That code is not right or has expired. Ask for a new code below.',
        InvalidPasswordException: (p) => `The sign-in service did not accept this password: ${p.message || 'choose another.'}`,
        ...forgotMessages,
      });
      for (const id of ['reset-code', 'reset-password', 'reset-password-again', 'password']) $(id).value = '';
      $('username').value = resetUsername;
      show('sign-in-form');
      notice('Your password has been changed. Sign in with your new password.');
    }, { challenge: false });

    $('resend-code').addEventListener('click', async () => {
      say('');
      try {
        $('forgot-username').value = resetUsername;
        await sendCode();
        notice('We have sent a new code. Use the latest one.');
      } catch (problem) {
        say(problem.shown || explain(problem));
      }
    });

    $('forgot-password').addEventListener('click', () => {
      notice('');
      openForgot();
    });
    for (const button of document.querySelectorAll('#sign-in .back-to-sign-in')) {
      button.addEventListener('click', () => {
        notice('');
        restart('');
      });
    }
    $('new-password').addEventListener('input', () => checkRules('new-password-rules', $('new-password').value));
    $('reset-password').addEventListener('input', () => checkRules('reset-password-rules', $('reset-password').value));

    show('sign-in-form', { focus: 'input' });
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
