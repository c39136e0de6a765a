// The browser client of the API: sign up, confirm (through the local mailbox under make local), sign in,
// call /echo, show the ID token's claims and remaining life, refresh, sign out. Plain DOM, no framework.
// Tokens live in this page's memory only (never localStorage): a reload signs out, and a script
// injected elsewhere finds nothing stored. Every text from the API or the mailbox goes in through
// textContent, never as HTML.
'use strict';

const $ = (id) => document.getElementById(id);

const session = { idToken: '', refreshToken: '', claims: null };
let mailboxUrl = '';
let countdown = 0;

// What each refusal means for the person using the page; the API's own message is always shown too.
const hints = {
  '/login': {
    401: 'wrong email or password, or the account is not confirmed yet (open the confirmation link)',
    403: 'the password must be reset first',
  },
  '/signup': { 400: 'check the email address and the password rules', 403: 'only administrators create accounts in this pool' },
  '/echo': { 401: "the API's authorizer refused the ID token (none, tampered, expired or from another pool): sign in again" },
  '/refresh': { 401: 'the refresh token is invalid, expired or revoked: sign in again' },
};

function hint(path, status) {
  if (status === 429) return "the API's throttling limit was reached: wait a second and try again";
  if (status >= 500) return 'the API or Cognito failed: try again later';
  return (hints[path] || {})[status] || '';
}

function say(text) {
  $('error').textContent = '';
  $('status').textContent = text;
}

function fail(text) {
  $('status').textContent = '';
  $('error').textContent = text;
}

function apiBase() {
  return $('api-url').value.trim().replace(/\/+$/, '');
}

// post calls the API and always resolves to {path, status, data, message}; status 0 means no readable
// answer, which a browser also reports when CORS refuses the page's origin.
async function post(path, body, idToken) {
  const base = apiBase();
  if (!/^https?:\/\//.test(base)) {
    return { path, status: 0, data: null, message: 'enter the API URL first (http:// or https://)' };
  }
  const headers = { 'Content-Type': 'application/json' };
  if (idToken) headers.Authorization = 'Bearer ' + idToken;
  let res;
  try {
    res = await fetch(base + path, { method: 'POST', headers, body: body === undefined ? '' : JSON.stringify(body) });
  } catch {
    const r = { path, status: 0, data: null, message: `no readable answer from ${base}: the API is down, the URL is wrong, or its CorsAllowOrigin is not ${location.origin}` };
    record(r);
    return r;
  }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { /* not JSON: shown as text */ }
  const message = data && typeof data.message === 'string' ? data.message : (data ? '' : text.slice(0, 200));
  const r = { path, status: res.status, data, message };
  record(r);
  return r;
}

// record adds one line per request to the request list, newest first, at most 30.
function record(r) {
  const li = document.createElement('li');
  const answer = r.status === 0 ? 'no answer' : String(r.status);
  li.textContent = `POST ${r.path} → ${answer}${r.message ? ': ' + r.message : ''}`;
  const log = $('log');
  log.prepend(li);
  while (log.children.length > 30) log.lastChild.remove();
}

// explain turns a failed answer into one readable sentence: status, the API's message, what to do.
function explain(what, r) {
  if (r.status === 0) return `${what} failed: ${r.message}.`;
  const h = hint(r.path, r.status);
  return `${what} failed: ${r.status} ${r.message || '(no message)'}${h ? ' (' + h + ')' : ''}.`;
}

function credentials() {
  return { username: $('email').value.trim(), password: $('password').value };
}

async function signUp() {
  const c = credentials();
  if (!c.username || !c.password) return fail('Enter an email and a password first.');
  const r = await post('/signup', c);
  if (r.status !== 202) return fail(explain('Sign-up', r));
  say(`Sign-up requested for ${c.username}: open the confirmation link in the message Cognito sent` +
    (mailboxUrl ? ' (the local mailbox below), then sign in.' : ', then sign in.'));
  if (mailboxUrl) await checkMail();
}

async function signIn(event) {
  event.preventDefault();
  const c = credentials();
  if (!c.username || !c.password) return fail('Enter an email and a password first.');
  const r = await post('/login', c);
  if (r.status !== 200) return fail(explain('Sign-in', r));
  if (!r.data?.id_token) {
    return fail(`Sign-in needs a further step this page does not offer: ${r.data?.challenge_name || 'no tokens in the answer'}.`);
  }
  if (!startSession(r.data)) return;
  say(`Signed in as ${session.claims.email || c.username}.`);
}

async function echo() {
  let body;
  const raw = $('echo-body').value.trim();
  if (raw) {
    try { body = JSON.parse(raw); } catch { return fail('The body for /echo is not JSON.'); }
  }
  const r = await post('/echo', body, session.idToken);
  if (r.status !== 200) {
    $('echo-answer').textContent = `${r.status || 'no answer'} ${JSON.stringify(r.data)}`;
    return fail(explain('/echo', r));
  }
  $('echo-answer').textContent = JSON.stringify(r.data, null, 2);
  say('/echo answered 200: the body and the claims the authorizer passed on.');
}

async function refresh() {
  const r = await post('/refresh', { refresh_token: session.refreshToken });
  if (r.status !== 200) return fail(explain('Refresh', r));
  if (!startSession({ ...r.data, refresh_token: session.refreshToken })) return;
  say(`Tokens refreshed: the new ID token expires at ${new Date(session.claims.exp * 1000).toLocaleTimeString()}.`);
}

async function signOut() {
  const r = await post('/logout', { refresh_token: session.refreshToken });
  endSession();
  if (r.status !== 200) return fail(explain('Sign-out', r) + ' The tokens were dropped from this page anyway.');
  say('Signed out: the refresh token is revoked. ID tokens already issued stay valid at the API until they expire, as in API Gateway.');
}

// decodeClaims reads a JWT's payload (base64url JSON). It verifies nothing: the API's authorizer does.
function decodeClaims(jwt) {
  const part = jwt.split('.')[1] || '';
  const b64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

function startSession(tokens) {
  let claims;
  try {
    claims = decodeClaims(tokens.id_token);
  } catch {
    fail('The ID token the API returned could not be decoded.');
    return false;
  }
  session.idToken = tokens.id_token;
  session.refreshToken = tokens.refresh_token;
  session.claims = claims;
  showClaims(claims);
  $('session-state').textContent = `Signed in as ${claims.email || claims['cognito:username'] || claims.sub}.`;
  $('refresh').disabled = !session.refreshToken;
  $('signout').disabled = !session.refreshToken;
  clearInterval(countdown);
  tick();
  countdown = setInterval(tick, 1000);
  return true;
}

function endSession() {
  session.idToken = '';
  session.refreshToken = '';
  session.claims = null;
  clearInterval(countdown);
  showClaims(null);
  $('remaining').textContent = 'no token';
  $('session-state').textContent = 'Signed out.';
  $('refresh').disabled = true;
  $('signout').disabled = true;
}

// tick shows the ID token's remaining life as h:mm:ss, from its exp claim.
function tick() {
  const left = Math.floor(session.claims.exp - Date.now() / 1000);
  if (left <= 0) {
    $('remaining').textContent = 'expired: refresh the tokens or sign in again';
    clearInterval(countdown);
    return;
  }
  const h = Math.floor(left / 3600);
  const m = String(Math.floor((left % 3600) / 60)).padStart(2, '0');
  const s = String(left % 60).padStart(2, '0');
  $('remaining').textContent = `${h}:${m}:${s}`;
}

const timeClaims = new Set(['exp', 'iat', 'auth_time', 'nbf']);

function showClaims(claims) {
  const body = $('claims').tBodies[0];
  body.replaceChildren();
  for (const [name, value] of Object.entries(claims || {})) {
    const row = body.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = name;
    row.append(th);
    let text = typeof value === 'string' ? value : JSON.stringify(value);
    if (timeClaims.has(name) && typeof value === 'number') text += ` (${new Date(value * 1000).toISOString()})`;
    row.insertCell().textContent = text;
  }
}

// checkMail lists the local mailbox's messages to the address in the form, newest first.
async function checkMail() {
  const to = $('email').value.trim().toLowerCase();
  const list = $('mail-list');
  let messages;
  try {
    const res = await fetch(mailboxUrl, { cache: 'no-store' });
    if (!res.ok) throw new Error(String(res.status));
    messages = await res.json();
  } catch (e) {
    return fail(`The local mailbox could not be read (${e.message}): is make local still running?`);
  }
  const mine = messages.filter((m) => !to || String(m.to).toLowerCase() === to).reverse();
  list.replaceChildren();
  if (mine.length === 0) {
    const li = document.createElement('li');
    li.textContent = to ? `No message to ${to} yet.` : 'No message yet.';
    list.append(li);
    return;
  }
  const kinds = { signup: 'Sign-up confirmation', resend: 'Confirmation, sent again', forgot: 'Password reset code' };
  for (const m of mine.slice(0, 10)) {
    const li = document.createElement('li');
    li.append(`${kinds[m.kind] || m.kind} to ${m.to} (${m.time || 'no time'}): `);
    if (m.link && /^https?:\/\//.test(m.link)) {
      const a = document.createElement('a');
      a.href = m.link;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      a.textContent = 'Open the confirmation link';
      li.append(a);
    } else if (m.code) {
      const code = document.createElement('code');
      code.textContent = m.code;
      li.append('code ', code);
    }
    list.append(li);
  }
}

// loadConfig fills the API URL and the password hint (the pool's policy in a sentence) from
// config.json, which make local serves beside this page; elsewhere there is none, the URL is typed in
// and the hint stays general (the API's 400 names the rule a password breaks).
async function loadConfig() {
  $('origin').textContent = location.origin;
  try {
    const res = await fetch('config.json', { cache: 'no-store' });
    if (!res.ok) return;
    const cfg = await res.json();
    if (!$('api-url').value && typeof cfg.apiUrl === 'string') $('api-url').value = cfg.apiUrl;
    mailboxUrl = typeof cfg.mailboxUrl === 'string' ? cfg.mailboxUrl : '';
    if (typeof cfg.passwordHint === 'string' && cfg.passwordHint) $('password-hint').textContent = cfg.passwordHint;
  } catch { /* no config.json: not under make local */ }
  $('mailbox').hidden = !mailboxUrl;
}

$('account-form').addEventListener('submit', signIn);
$('signup').addEventListener('click', signUp);
$('check-mail').addEventListener('click', checkMail);
$('echo').addEventListener('click', echo);
$('refresh').addEventListener('click', refresh);
$('signout').addEventListener('click', signOut);
loadConfig().then(() => document.body.setAttribute('data-ready', 'true'));
