/**
 * TEST HARNESS ONLY: runs one of the add-on's create functions against a running service.
 *
 * The add-on's .gs sources run with the harness's Apps Script stand-ins, except that UrlFetchApp
 * reaches a real service over HTTP (synchronously, as Apps Script's UrlFetchApp does: each request
 * runs in a child Node process). The add-on is configured with an https SERVICE_URL, as the
 * manifest requires; requests to it go to HC_SERVICE (the test service's http address) instead.
 *
 * Environment: HC_SERVICE, HC_TOKEN (the user's ID token), HC_FUNCTION (createPersonalRoomConference or
 * createSpaceConference), HC_CALENDAR, HC_EVENT. Prints {data, calls} as JSON: the ConferenceData the add-on
 * returned (the harness's JSON view) and the requests it made.
 */

import { execFileSync } from 'node:child_process';

import { json, loadAddon } from './addon.mjs';

const CONFIGURED = 'https://hybrid-calendar.test';
const FETCH = `
const [url, body, headers] = JSON.parse(process.argv[1]);
fetch(url, { method: 'POST', body, headers, redirect: 'manual' })
  .then(async (r) => process.stdout.write(JSON.stringify({ status: r.status, body: await r.text() })))
  .catch((e) => { process.stderr.write(String(e)); process.exit(3); });
`;

/** UrlFetchApp's answer: the request sent to the real service, synchronously. */
function respond({ url, params }) {
  if (!url.startsWith(CONFIGURED + '/')) {
    throw new Error(`unexpected URL ${url}`);
  }
  const target = process.env.HC_SERVICE + url.slice(CONFIGURED.length);
  const headers = { ...params.headers, 'Content-Type': params.contentType };
  const out = execFileSync(process.execPath, ['-e', FETCH, JSON.stringify([target, params.payload, headers])], {
    encoding: 'utf8',
    timeout: 60000,
  });
  return JSON.parse(out);
}

const { addon, calls } = loadAddon({
  properties: { SERVICE_URL: CONFIGURED },
  identityToken: process.env.HC_TOKEN,
  respond,
});
const arg = { eventData: { calendarId: process.env.HC_CALENDAR, eventId: process.env.HC_EVENT } };
const data = json(addon[process.env.HC_FUNCTION](arg));
process.stdout.write(JSON.stringify({ data, calls: calls.map((c) => ({ url: c.url, payload: JSON.parse(c.params.payload) })) }));
