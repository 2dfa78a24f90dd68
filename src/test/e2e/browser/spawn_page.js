#!/usr/bin/env node
// Drives a real Chromium through JupyterHub's pages like a researcher starting a server with
// hpcspawner: log in, open /hub/spawn, check the service's options form, pick a profile, submit,
// follow the spawn-pending page (capturing every progress message it shows) until the browser
// lands on the user's notebook server or the page reports a failure.
//
//   node spawn_page.js --user alice --shots /tmp/shots [--profile small] [--cpus 1]
//                      [--option small.time=30 ...]  (a field of the form: a select is selected, an input filled)
//                      [--password hpcspawner] [--base-url http://127.0.0.1:8000]
//                      [--server-name NAME] [--expect ready|failed|any] [--timeout 180]
//                      [--chromium /usr/bin/chromium]
//   node spawn_page.js --check      prints {"playwrightCore", "chromium", "browserVersion"} or fails
//
// stdout: one JSON object per line, as things happen ({"event": "logged_in" | "form" | "submitted"
// | "message" | "page" | "screenshot" | ...}); the last line is {"event": "summary", ...} with the
// outcome ("ready", "failed", "timeout", "error"), the messages the page showed, the final URL and
// title and what the notebook UI looked like. Human-readable progress goes to stderr.
// Exit status: 0 when the outcome is the expected one (--expect), 1 otherwise, 3 when playwright-core
// or Chromium is missing (run scripts/stack/install.sh), 2 on bad arguments.
//
// playwright-core is looked up next to this script (npm install here) and in the stack's npm prefix
// ($STACK_NODE_PREFIX, default $STACK_DIR/node, where scripts/stack/install.sh puts it). It never
// downloads a browser: it drives Debian's /usr/bin/chromium (apt package chromium).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

const T0 = Date.now();
const elapsed = () => Math.round((Date.now() - T0) / 100) / 10;

// --- arguments ------------------------------------------------------------------------------------
function parseArgs(argv) {
  const opts = {
    user: null,
    password: process.env.HUB_DEMO_PASSWORD || 'hpcspawner',
    baseUrl: process.env.E2E_PUBLIC_URL
      || `http://${process.env.STACK_HOST || '127.0.0.1'}:${process.env.PROXY_PORT || '8000'}`,
    serverName: '',
    profile: 'small',
    cpus: null,
    options: [],
    expect: 'ready',
    timeout: 180,
    shots: null,
    chromium: process.env.E2E_CHROMIUM || '/usr/bin/chromium',
    check: false,
  };
  const keys = {
    '--user': 'user', '--password': 'password', '--base-url': 'baseUrl', '--server-name': 'serverName',
    '--profile': 'profile', '--cpus': 'cpus', '--expect': 'expect', '--timeout': 'timeout',
    '--shots': 'shots', '--chromium': 'chromium', '--option': 'options',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--check') { opts.check = true; continue; }
    if (a === '--help' || a === '-h') { usage(0); }
    const [k, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, null];
    if (!(k in keys)) { usage(2, `unknown argument ${a}`); }
    const v = inline !== null ? inline : argv[++i];
    if (v === undefined) { usage(2, `${k} needs a value`); }
    if (k === '--option') {
      if (!v.includes('=')) { usage(2, `--option takes name=value, got ${v}`); }
      opts.options.push([v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)]);
      continue;
    }
    opts[keys[k]] = v;
  }
  opts.timeout = Number(opts.timeout);
  if (!opts.check) {
    if (!opts.user) { usage(2, '--user is required'); }
    if (!['ready', 'failed', 'any'].includes(opts.expect)) { usage(2, '--expect must be ready, failed or any'); }
    if (!(opts.timeout > 0)) { usage(2, '--timeout must be a positive number of seconds'); }
  }
  opts.baseUrl = opts.baseUrl.replace(/\/+$/, '');
  return opts;
}

function usage(code, error) {
  if (error) { process.stderr.write(`spawn_page.js: ${error}\n`); }
  process.stderr.write(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 23)
    .map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
  process.exit(code);
}

// --- output ------------------------------------------------------------------------------------------
function emit(obj) {
  process.stdout.write(JSON.stringify({ t: elapsed(), ...obj }) + '\n');
}
function say(text) {
  process.stderr.write(`spawn_page [${elapsed()}s]: ${text}\n`);
}

// --- playwright-core, Chromium -------------------------------------------------------------------------
function stackNodePrefix() {
  return process.env.STACK_NODE_PREFIX
    || path.join(process.env.STACK_DIR || '/tmp/hpcspawner-stack', 'node');
}

function loadPlaywright() {
  const paths = [__dirname, stackNodePrefix()];
  let resolved;
  try {
    resolved = require.resolve('playwright-core', { paths });
  } catch (e) {
    missing(`playwright-core is not installed (looked in ${paths.map((p) => path.join(p, 'node_modules')).join(', ')})`);
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(resolved), 'package.json'), 'utf8'));
  return { playwright: require(resolved), version: pkg.version, where: path.dirname(resolved) };
}

function missing(what) {
  const msg = `${what}; run scripts/stack/install.sh (it installs apt chromium and npm playwright-core@1 into $STACK_DIR/node)`;
  process.stderr.write(`spawn_page.js: ${msg}\n`);
  emit({ event: 'summary', outcome: 'missing', error: msg });
  process.exit(3);
}

const LAUNCH_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--no-default-browser-check',
];

async function launch(opts, playwright) {
  if (!fs.existsSync(opts.chromium)) { missing(`Chromium is not installed at ${opts.chromium}`); }
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hpcspawner-e2e-chromium-'));
  const context = await playwright.chromium.launchPersistentContext(userDataDir, {
    executablePath: opts.chromium,
    headless: true,
    args: LAUNCH_ARGS,
    viewport: { width: 1200, height: 850 },
    timeout: 30000,
  });
  return { context, userDataDir };
}

// --- page helpers ----------------------------------------------------------------------------------------
// Runs in every page before its own scripts: reports each text the spawn-pending page puts into
// #progress-message (it is replaced on every progress event, and the page reloads right after the
// "ready" one, so polling alone could miss texts that were on screen only for a moment).
const OBSERVER = `(() => {
  if (window.top !== window) return;
  const report = (text) => { try { window.__e2eProgress(text, location.href); } catch (e) {} };
  const start = () => {
    const el = document.getElementById('progress-message');
    if (!el) return;
    let last = null;
    const check = () => {
      const t = (el.textContent || '').replace(/\\s+/g, ' ').trim();
      if (t && t !== last) { last = t; report(t); }
    };
    new MutationObserver(check).observe(el, { childList: true, characterData: true, subtree: true });
    check();
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();`;

// What the current page says, read in the page (null while it navigates).
function readPageState(page) {
  return page.evaluate(() => {
    const text = (el) => (el ? (el.textContent || '').replace(/\s+/g, ' ').trim() : null);
    const q = (s) => document.querySelector(s);
    return {
      url: location.href,
      title: document.title,
      progressMessage: text(q('#progress-message')),
      progressLog: Array.from(document.querySelectorAll('#progress-log .progress-log-event')).map(text),
      progressFailed: !!q('#progress-bar.progress-bar-danger'),
      h1: text(q('h1')),
      notRunning: text(q('.container .text-center')),
      spawnError: text(q('.spawn-error-msg')),
      errorPage: text(q('div.error')),
    };
  }).catch(() => null);
}

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

// --- the walk ----------------------------------------------------------------------------------------------
async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const pw = loadPlaywright();

  if (opts.check) {
    const { context, userDataDir } = await launch(opts, pw.playwright);
    const version = context.browser() ? context.browser().version() : null;
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
    emit({ event: 'check', playwrightCore: pw.version, playwrightCoreDir: pw.where, chromium: opts.chromium,
      browserVersion: version });
    return 0;
  }

  const deadline = Date.now() + opts.timeout * 1000;
  const left = (cap) => Math.max(1000, Math.min(cap, deadline - Date.now()));
  // Last resort if something hangs despite the timeouts below (playwright kills Chromium on exit).
  const watchdog = setTimeout(() => {
    emit({ event: 'summary', outcome: 'error', error: `watchdog: still running ${opts.timeout + 60}s after start` });
    process.exit(1);
  }, (opts.timeout + 60) * 1000);

  const base = opts.baseUrl;
  const userPrefix = `${base}/user/${encodeURIComponent(opts.user)}/${opts.serverName ? `${encodeURIComponent(opts.serverName)}/` : ''}`;
  const summary = {
    event: 'summary', outcome: null, expected: opts.expect, user: opts.user, serverName: opts.serverName,
    profile: opts.profile, messages: [], pagesVisited: [], form: null, failure: null, finalUrl: null, title: null,
    notebookUi: null, screenshots: [], error: null, browserVersion: null, playwrightCore: pw.version,
  };
  if (opts.shots) { fs.mkdirSync(opts.shots, { recursive: true }); }

  let shotNo = 0;
  let page = null;
  const shot = async (label) => {
    if (!opts.shots || !page) { return; }
    const file = path.join(opts.shots, `${String(++shotNo).padStart(2, '0')}-${label}.png`);
    try {
      await page.screenshot({ path: file, timeout: 10000, fullPage: true });
      summary.screenshots.push(file);
      emit({ event: 'screenshot', file });
    } catch (e) {
      say(`screenshot ${label} failed: ${e.message.split('\n')[0]}`);
    }
  };
  const addMessage = (text, url, source) => {
    const last = summary.messages[summary.messages.length - 1];
    if (last === text) { return false; }
    summary.messages.push(text);
    emit({ event: 'message', text, url, source });
    say(`progress message: ${text}`);
    return true;
  };

  const { context, userDataDir } = await launch(opts, pw.playwright);
  summary.browserVersion = context.browser() ? context.browser().version() : null;
  const pendingShots = [];
  let messageShots = 0;
  try {
    await context.exposeFunction('__e2eProgress', (text, url) => {
      // a picture of each message while it is on screen (the page may have moved on already)
      if (addMessage(text, url, 'observer') && messageShots < 15 && page && page.url() === url) {
        messageShots += 1;
        pendingShots.push(shot(`message-${summary.messages.length}`));
      }
    });
    await context.addInitScript(OBSERVER);
    page = context.pages()[0] || await context.newPage();
    page.setDefaultTimeout(30000);
    page.setDefaultNavigationTimeout(30000);
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) {
        summary.pagesVisited.push(frame.url());
        emit({ event: 'page', url: frame.url() });
      }
    });
    page.on('pageerror', (err) => say(`page error: ${err.message}`));

    // 1. log in
    say(`logging in as ${opts.user} at ${base}/hub/login`);
    await page.goto(`${base}/hub/login`, { timeout: left(30000), waitUntil: 'domcontentloaded' });
    await page.fill('#username_input', opts.user, { timeout: left(15000) });
    await page.fill('#password_input', opts.password, { timeout: left(15000) });
    await shot('login');
    await Promise.all([
      page.waitForURL((u) => !u.pathname.endsWith('/hub/login'), { timeout: left(30000), waitUntil: 'domcontentloaded' })
        .catch(() => null),
      page.click('#login_submit', { timeout: left(15000) }),
    ]);
    if (new URL(page.url()).pathname.endsWith('/hub/login')) {
      const why = await page.textContent('.login_error', { timeout: 2000 }).catch(() => null);
      throw new Error(`login as ${opts.user} failed: still on ${page.url()} (${(why || 'no error shown').trim()})`);
    }
    emit({ event: 'logged_in', url: page.url() });

    // 2. the options form of the service on /hub/spawn
    const spawnUrl = `${base}/hub/spawn${opts.serverName ? `/${encodeURIComponent(opts.user)}/${encodeURIComponent(opts.serverName)}` : ''}`;
    await page.goto(spawnUrl, { timeout: left(30000), waitUntil: 'domcontentloaded' });
    await page.waitForSelector('#spawn_form', { state: 'visible', timeout: left(30000) });
    summary.form = await page.evaluate(() => {
      const form = document.querySelector('#spawn_form');
      const label = (input) => {
        const l = input.closest('label') || (input.id && document.querySelector(`label[for="${input.id}"]`));
        return l ? l.textContent.replace(/\s+/g, ' ').trim() : null;
      };
      return {
        url: location.href,
        profiles: Array.from(form.querySelectorAll('input[type=radio][name=profile]'))
          .map((i) => ({ value: i.value, label: label(i), checked: i.checked })),
        fields: Array.from(form.querySelectorAll('input[name]:not([type=radio])'))
          .map((i) => ({ name: i.name, type: i.type, label: label(i) })),
        selects: Array.from(form.querySelectorAll('select[name]'))
          .map((s) => ({ name: s.name, label: label(s), disabled: s.disabled,
            options: Array.from(s.options).map((o) => ({ value: o.value, text: o.textContent.trim(),
              selected: o.selected, disabled: o.disabled })) })),
        systems: Array.from(form.querySelectorAll('fieldset.hpcsp-system'))
          .map((f) => ({ legend: (f.querySelector('legend') || { textContent: '' }).textContent.trim(),
            disabled: f.disabled, text: f.textContent.replace(/\s+/g, ' ').trim() })),
        text: form.textContent.replace(/\s+/g, ' ').trim(),
      };
    });
    emit({ event: 'form', ...summary.form });
    await shot('form');
    const small = summary.form.profiles.find((p) => p.value === 'small');
    if (!small || !/\bSmall\b/.test(small.label || '')) {
      throw new Error(`the options form has no "Small" profile radio: ${JSON.stringify(summary.form.profiles)}`);
    }
    // the form names each profile's fields <profile>.<option> (an older service: plain names)
    const cpusField = summary.form.fields.find((f) => f.name === 'cpus' || f.name === 'small.cpus');
    if (!cpusField || !/CPUs/.test(cpusField.label || '')) {
      throw new Error(`the options form has no CPUs field: ${JSON.stringify(summary.form.fields)}`);
    }

    // 3. choose, submit (JupyterHub 3.0 has an <input type=submit>, 5.x a <button type=submit>)
    await page.check(`#spawn_form input[type=radio][name=profile][value="${opts.profile}"]`, { timeout: left(15000) });
    if (opts.cpus !== null) {
      const named = summary.form.fields.some((f) => f.name === `${opts.profile}.cpus`) ? `${opts.profile}.cpus` : 'cpus';
      await page.fill(`#spawn_form input[name="${named}"]`, String(opts.cpus), { timeout: left(15000) });
    }
    for (const [name, value] of opts.options) {
      const field = `#spawn_form [name="${name}"]`;
      const tag = await page.$eval(field, (e) => e.tagName.toLowerCase()).catch(() => null);
      if (!tag) { throw new Error(`the options form has no field named ${name}`); }
      if (tag === 'select') {
        await page.selectOption(field, value, { timeout: left(15000) });
      } else {
        await page.fill(field, value, { timeout: left(15000) });
      }
      say(`set ${name} = ${value}`);
    }
    await shot('form-filled');
    say(`submitting profile ${opts.profile}${opts.cpus !== null ? `, cpus ${opts.cpus}` : ''}`);
    await page.click('#spawn_form [type=submit]', { timeout: left(15000), noWaitAfter: true });
    emit({ event: 'submitted' });

    // 4. follow the pages until the server's UI, a failure, or the deadline
    let submittedUrl = null;
    let lastPoll = null;
    let pollMessages = 0;
    for (;;) {
      const url = page.url();
      if (url.startsWith(userPrefix)) { break; }
      const st = await readPageState(page);
      if (st) {
        lastPoll = st;
        const p = new URL(st.url).pathname;
        if (!submittedUrl && !p.endsWith('/hub/spawn') && !p.includes('/hub/spawn/')) {
          submittedUrl = st.url;
          if (p.includes('/hub/spawn-pending/')) { pendingShots.push(shot('progress')); }
        }
        // texts the observer may not have reported (e.g. the log of a page opened mid-spawn)
        for (const t of [...st.progressLog, st.progressMessage]) {
          if (t && !summary.messages.includes(t) && addMessage(t, st.url, 'poll') && pollMessages < 5) {
            pollMessages += 1;
            pendingShots.push(shot(`message-${summary.messages.length}`));
          }
        }
        let failure = null;
        if (p.includes('/hub/spawn-pending/') && st.progressFailed) {
          failure = { where: 'spawn-pending progress', text: st.progressMessage };
        } else if (st.h1 && /Spawn failed/i.test(st.h1)) {
          failure = { where: 'spawn failed page', text: st.notRunning };
        } else if (st.spawnError) {
          failure = { where: 'spawn form error', text: st.spawnError };
        } else if (st.errorPage) {
          failure = { where: 'error page', text: st.errorPage };
        }
        if (failure) {
          summary.failure = { ...failure, url: st.url };
          summary.outcome = 'failed';
          say(`the page reports a failure (${failure.where}): ${failure.text}`);
          break;
        }
      }
      if (Date.now() > deadline) {
        summary.outcome = 'timeout';
        summary.error = `no server page (${userPrefix}) and no failure after ${opts.timeout}s; last page state: ${JSON.stringify(lastPoll)}`;
        break;
      }
      await sleep(250);
    }
    summary.submittedUrl = submittedUrl;

    // 5. the notebook UI of the server (notebook 6.4 tree page)
    if (!summary.outcome) {
      say(`redirected to ${page.url()}; waiting for the notebook tree page`);
      await page.waitForURL((u) => u.href.startsWith(userPrefix) && /\/tree\/?/.test(u.pathname),
        { timeout: left(30000), waitUntil: 'domcontentloaded' }).catch(() => null);
      const listed = await page.waitForSelector('#notebook_list', { state: 'visible', timeout: left(30000) })
        .then(() => true, () => false);
      summary.notebookUi = await page.evaluate(() => ({
        url: location.href,
        title: document.title,
        notebookList: !!document.querySelector('#notebook_list'),
        tabs: Array.from(document.querySelectorAll('#tabs a')).map((a) => a.textContent.trim()),
        logo: !!document.querySelector('#ipython_notebook'),
      })).catch((e) => ({ error: e.message.split('\n')[0] }));
      summary.outcome = listed && page.url().startsWith(userPrefix) ? 'ready' : 'error';
      if (summary.outcome === 'error') {
        summary.error = `reached ${page.url()} but no notebook tree page (#notebook_list) within the timeout`;
      }
    }
  } catch (e) {
    summary.outcome = 'error';
    summary.error = e.message.split('\n').slice(0, 4).join(' | ');
    say(`error: ${summary.error}`);
  } finally {
    await Promise.all(pendingShots);
    if (page) {
      summary.finalUrl = page.url();
      summary.title = await page.title().catch(() => null);
      await shot(`final-${summary.outcome}`);
      if (opts.shots) {
        const html = await page.content().catch(() => null);
        if (html) { fs.writeFileSync(path.join(opts.shots, 'final.html'), html); }
      }
    }
    await Promise.race([context.close().catch(() => null), sleep(15000)]);
    fs.rmSync(userDataDir, { recursive: true, force: true });
    clearTimeout(watchdog);
  }
  summary.seconds = elapsed();
  emit(summary);
  say(`outcome ${summary.outcome} (expected ${opts.expect}) after ${summary.seconds}s at ${summary.finalUrl}`);
  return opts.expect === 'any' || summary.outcome === opts.expect ? 0 : 1;
}

main().then((code) => process.exit(code), (e) => {
  say(`fatal: ${e && e.stack ? e.stack : e}`);
  emit({ event: 'summary', outcome: 'error', error: String(e && e.message ? e.message : e) });
  process.exit(1);
});
