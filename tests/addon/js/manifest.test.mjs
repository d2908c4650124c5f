/**
 * The manifest and the sources agree: every function the manifest names exists, each solution's
 * create function asks for that solution, and the settings link and client-id helper work.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { MANIFEST, SOURCES, idToken, json, loadAddon } from './addon.mjs';

const PROPERTIES = { SERVICE_URL: 'https://calendar.acme.example' };
const ANSWER = {
  conference_id: 'c-1',
  entry_points: [{ type: 'video', uri: 'https://acme.webex.com/meet/ana' }],
  notes: '',
  parameters: {},
};

describe('manifest and sources', () => {
  test('the project pushes at least one .gs file and no test file', () => {
    assert.ok(SOURCES.length > 0);
    assert.ok(SOURCES.every((name) => !/test|harness/i.test(name)), SOURCES.join(', '));
  });

  test('every function the manifest names is a top-level function of the sources, not a private one', () => {
    const { addon } = loadAddon();
    const calendar = MANIFEST.addOns.calendar;
    const names = [calendar.createSettingsUrlFunction, ...calendar.conferenceSolution.map((s) => s.onCreateFunction)];
    for (const name of names) {
      assert.equal(typeof addon[name], 'function', `${name} is not defined`);
      assert.ok(!name.endsWith('_'), `${name} is private: Calendar cannot call it`);
    }
  });

  test('the manifest offers exactly the personal room and the per-meeting space', () => {
    const ids = MANIFEST.addOns.calendar.conferenceSolution.map((s) => s.id).sort();
    assert.deepEqual(ids, ['webex_personal_room', 'webex_space']);
    const { addon } = loadAddon();
    assert.deepEqual(Object.values(addon.SOLUTIONS).sort(), ids);
  });

  for (const solution of MANIFEST.addOns.calendar.conferenceSolution) {
    test(`${solution.onCreateFunction} asks the service for ${solution.id} and answers as ${solution.id}`, () => {
      const { addon, calls } = loadAddon({
        properties: PROPERTIES,
        identityToken: idToken(),
        respond: () => ({ status: 200, body: ANSWER }),
      });
      const data = json(addon[solution.onCreateFunction]({ eventData: { calendarId: 'ana@acme.example', eventId: 'e1' } }));
      assert.equal(JSON.parse(calls[0].params.payload).solution, solution.id);
      assert.equal(data.conferenceSolutionId, solution.id);
    });
  }

  test('the URL the add-on fetches is the one the manifest allows once the placeholder host is replaced', () => {
    const [allowed] = MANIFEST.urlFetchWhitelist;
    assert.equal(MANIFEST.urlFetchWhitelist.length, 1);
    const { addon, calls } = loadAddon({
      properties: { SERVICE_URL: new URL(allowed).origin },
      identityToken: idToken(),
      respond: () => ({ status: 200, body: ANSWER }),
    });
    addon.createSpaceConference({ eventData: { calendarId: 'ana@acme.example', eventId: 'e1' } });
    assert.equal(calls[0].url, allowed);
  });
});

describe('settings link', () => {
  test('is SERVICE_URL/app by default', () => {
    const { addon } = loadAddon({ properties: { SERVICE_URL: 'https://calendar.acme.example/' } });
    assert.equal(addon.createSettingsUrl(), 'https://calendar.acme.example/app');
  });

  test('is SETTINGS_URL when that is set', () => {
    const { addon } = loadAddon({ properties: { ...PROPERTIES, SETTINGS_URL: 'https://intranet.acme.example/meetings' } });
    assert.equal(addon.createSettingsUrl(), 'https://intranet.acme.example/meetings');
  });

  test('fails with a message naming SERVICE_URL when it is not set', () => {
    const { addon, logs } = loadAddon();
    assert.throws(() => addon.createSettingsUrl(), /SERVICE_URL/);
    assert.equal(JSON.parse(logs.at(-1).text).code, 'service_url_missing');
  });
});

describe('showOAuthClientId', () => {
  test('returns and logs the ID token audience, never the token or the address in it', () => {
    const token = idToken({ aud: '987654321-xyz.apps.googleusercontent.com', email: 'admin@acme.example' });
    const { addon, logs } = loadAddon({ identityToken: token });
    assert.equal(addon.showOAuthClientId(), '987654321-xyz.apps.googleusercontent.com');
    assert.equal(logs.length, 1);
    assert.match(logs[0].text, /987654321-xyz\.apps\.googleusercontent\.com$/);
    assert.ok(!logs[0].text.includes('admin@acme.example') && !logs[0].text.includes(token.split('.')[1]));
  });

  test('decodes claims whose base64url form needs padding and uses - or _', () => {
    for (const aud of ['a', 'ab', 'abc', '1-??>>~~.apps.googleusercontent.com']) {
      const { addon } = loadAddon({ identityToken: idToken({ aud }) });
      assert.equal(addon.showOAuthClientId(), aud);
    }
  });

  test('explains what is missing when there is no token', () => {
    const { addon } = loadAddon({ identityToken: null });
    assert.throws(() => addon.showOAuthClientId(), /openid/);
  });
});
