/**
 * The conference solutions' create functions under Node: the request they send the service, the
 * ConferenceData they build from its answer, and the error type each failure maps to.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { idToken, json, loadAddon } from './addon.mjs';

const SERVICE = 'https://calendar.acme.example';
const PROPERTIES = { SERVICE_URL: SERVICE + '/' };
const TOKEN = idToken();
const CALENDAR = 'ana@acme.example';
const ARG = { eventData: { calendarId: CALENDAR, eventId: 'evt0sprint0review' } };
const LOG_KEYS = new Set(['component', 'outcome', 'event', 'solution', 'request', 'status', 'code']);

const ANSWER = {
  conference_id: 'webex-pr-ana',
  solution: 'webex_personal_room',
  entry_points: [
    { type: 'video', uri: 'https://acme.webex.com/meet/ana', label: 'acme.webex.com/meet/ana', password: 'Xy12pq' },
    { type: 'sip', uri: 'sip:ana@acme.webex.com', label: 'ana@acme.webex.com' },
    {
      type: 'phone', uri: 'tel:+1-415-655-0001,,25512345678##', label: '+1 415 655 0001',
      access_code: '2551 234 5678', region_code: 'US', features: ['toll'],
    },
    { type: 'phone', uri: 'tel:+1-855-244-8681,,25512345678##', access_code: '2551 234 5678', features: ['toll_free'] },
    { type: 'more', uri: 'https://acme.webex.com/meet/ana/dial-in' },
  ],
  notes: 'Join from a browser, the Webex app or a video device.',
  parameters: { provider: 'webex', meeting_key: '25512345678' },
};

/** The add-on with a service that answers every request with `status` and `body`. */
function withService(status, body, options = {}) {
  return loadAddon({ properties: PROPERTIES, identityToken: TOKEN, respond: () => ({ status, body }), ...options });
}

/** Every log line is JSON with ids and codes only, and none carries the token or the calendar's address. */
function assertCleanLogs(logs) {
  assert.ok(logs.length > 0, 'the add-on logs each outcome');
  for (const { text } of logs) {
    assert.ok(!text.includes(TOKEN) && !text.includes(TOKEN.split('.')[1]), `a token in a log line: ${text}`);
    assert.ok(!text.includes('@'), `an address in a log line: ${text}`);
    for (const key of Object.keys(JSON.parse(text))) {
      assert.ok(LOG_KEYS.has(key), `unexpected log field ${key}`);
    }
  }
}

describe('a conference from a 200 answer', () => {
  test('video, SIP, two phone numbers and a more link become entry points with their codes and features', () => {
    const { addon, calls, logs } = withService(200, ANSWER);
    const data = json(addon.createPersonalRoomConference(ARG));
    assert.equal(calls.length, 1);
    assert.deepEqual(data, {
      conferenceSolutionId: 'webex_personal_room',
      conferenceId: 'webex-pr-ana',
      entryPoints: [
        { entryPointType: 'VIDEO', uri: 'https://acme.webex.com/meet/ana', password: 'Xy12pq' },
        { entryPointType: 'SIP', uri: 'sip:ana@acme.webex.com' },
        {
          entryPointType: 'PHONE', uri: 'tel:+1-415-655-0001,,25512345678##', accessCode: '2551 234 5678',
          regionCode: 'US', features: ['TOLL'],
        },
        { entryPointType: 'PHONE', uri: 'tel:+1-855-244-8681,,25512345678##', accessCode: '2551 234 5678', features: ['TOLL_FREE'] },
        { entryPointType: 'MORE', uri: 'https://acme.webex.com/meet/ana/dial-in' },
      ],
      notes: 'Join from a browser, the Webex app or a video device.',
      parameters: { meeting_key: '25512345678', provider: 'webex' },
    });
    assert.deepEqual(logs.map((l) => JSON.parse(l.text).outcome), ['created']);
    assertCleanLogs(logs);
  });

  test('pin, passcode and meeting code go to their own setters', () => {
    const { addon } = withService(200, {
      conference_id: 'space-7', solution: 'webex_space', notes: '', parameters: {},
      entry_points: [
        { type: 'video', uri: 'https://acme.webex.com/space/7', meeting_code: '2551 777 0000', passcode: '77' },
        { type: 'phone', uri: 'tel:+44-20-7946-0000', pin: '4321', region_code: 'GB' },
      ],
    });
    const data = json(addon.createSpaceConference(ARG));
    assert.deepEqual(data.entryPoints, [
      { entryPointType: 'VIDEO', uri: 'https://acme.webex.com/space/7', meetingCode: '2551 777 0000', passcode: '77' },
      { entryPointType: 'PHONE', uri: 'tel:+44-20-7946-0000', pin: '4321', regionCode: 'GB' },
    ]);
    assert.equal(data.notes, undefined, 'empty notes are left out');
  });

  test('the solution the service answers with wins, so an event that already has a personal room shows it', () => {
    const { addon, calls } = withService(200, ANSWER);
    const data = json(addon.createSpaceConference(ARG));
    assert.equal(JSON.parse(calls[0].params.payload).solution, 'webex_space');
    assert.equal(data.conferenceSolutionId, 'webex_personal_room');
  });

  test('an answer naming a solution this add-on does not offer keeps the solution the user picked', () => {
    const { addon } = withService(200, { ...ANSWER, solution: 'zoom' });
    assert.equal(json(addon.createSpaceConference(ARG)).conferenceSolutionId, 'webex_space');
  });

  test('an entry point type this add-on does not know yet is skipped, the rest is kept', () => {
    const { addon } = withService(200, { ...ANSWER, entry_points: [{ type: 'hologram', uri: 'holo:x' }, ANSWER.entry_points[0]] });
    assert.deepEqual(json(addon.createPersonalRoomConference(ARG)).entryPoints.map((e) => e.entryPointType), ['VIDEO']);
  });

  test('201 counts as success too', () => {
    const { addon } = withService(201, ANSWER);
    assert.equal(json(addon.createPersonalRoomConference(ARG)).conferenceId, 'webex-pr-ana');
  });
});

describe('the request sent to the service', () => {
  test('is one POST of the documented body to SERVICE_URL/v1/conferences with the ID token, errors muted, no redirects', () => {
    const { addon, calls } = withService(200, ANSWER);
    addon.createPersonalRoomConference(ARG);
    assert.equal(calls.length, 1);
    const [{ url, params }] = calls;
    assert.equal(url, 'https://calendar.acme.example/v1/conferences');
    assert.equal(params.method, 'post');
    assert.equal(params.contentType, 'application/json');
    assert.equal(params.headers.Authorization, 'Bearer ' + TOKEN);
    assert.equal(params.muteHttpExceptions, true);
    assert.equal(params.followRedirects, false);
    const body = JSON.parse(params.payload);
    assert.deepEqual(Object.keys(body).sort(), ['calendar_id', 'event_id', 'request_id', 'solution']);
    assert.equal(body.calendar_id, CALENDAR);
    assert.equal(body.event_id, 'evt0sprint0review');
    assert.equal(body.solution, 'webex_personal_room');
    assert.match(body.request_id, /^addon-[0-9a-f]{64}$/);
  });

  test('the request id is stable for one event and solution, and differs for another event, calendar or solution', () => {
    const requestId = (fn, eventData) => {
      const { addon, calls } = withService(200, ANSWER);
      addon[fn]({ eventData });
      return JSON.parse(calls[0].params.payload).request_id;
    };
    const first = requestId('createPersonalRoomConference', ARG.eventData);
    assert.equal(requestId('createPersonalRoomConference', { ...ARG.eventData }), first);
    const others = [
      requestId('createSpaceConference', ARG.eventData),
      requestId('createPersonalRoomConference', { ...ARG.eventData, eventId: 'evt0sprint0review_copy' }),
      requestId('createPersonalRoomConference', { ...ARG.eventData, calendarId: 'bo@acme.example' }),
    ];
    assert.equal(new Set([first, ...others]).size, 4);
  });

  test('an https SERVICE_URL with a path keeps its path', () => {
    const { addon, calls } = withService(200, ANSWER, { properties: { SERVICE_URL: ' https://acme.example/calendar// ' } });
    addon.createPersonalRoomConference(ARG);
    assert.equal(calls[0].url, 'https://acme.example/calendar/v1/conferences');
  });
});

/** The error a failed create call returns, with the requests it made and its logs. */
function failure(status, body, options) {
  const { addon, calls, logs } = withService(status, body, options);
  const data = json(addon.createPersonalRoomConference(ARG));
  assert.equal(data.conferenceSolutionId, 'webex_personal_room');
  assert.equal(data.entryPoints, undefined, 'an error carries no entry points');
  assertCleanLogs(logs);
  return { error: data.error, calls, code: JSON.parse(logs.at(-1).text).code };
}

const problem = (code, extra = {}) => ({ error: { code, message: `refused for ${CALENDAR}`, hint: 'ask your admin', ...extra } });

describe('error answers map to ConferenceData error types', () => {
  const cases = [
    [401, problem('unauthenticated', { settings_url: 'https://calendar.acme.example/app#sign-in' }), 'AUTHENTICATION', 'https://calendar.acme.example/app#sign-in'],
    [401, problem('unauthenticated'), 'AUTHENTICATION', 'https://calendar.acme.example/app'],
    [401, problem('unauthenticated', { settings_url: 'http://evil.example/app' }), 'AUTHENTICATION', 'https://calendar.acme.example/app'],
    [403, problem('not_activated', { settings_url: 'https://calendar.acme.example/app#activate' }), 'AUTHENTICATION', 'https://calendar.acme.example/app#activate'],
    [403, problem('forbidden'), 'PERMISSION_DENIED', undefined],
    [409, problem('solution_not_offered'), 'CONFERENCE_SOLUTION_FORBIDDEN', undefined],
    [409, problem('conflict'), 'UNKNOWN', undefined],
    [400, problem('invalid_input'), 'UNKNOWN', undefined],
    [404, problem('not_found'), 'UNKNOWN', undefined],
    [408, 'Request Timeout', 'TEMPORARY', undefined],
    [429, problem('rate_limited'), 'TEMPORARY', undefined],
    [500, '<html>oops</html>', 'TEMPORARY', undefined],
    [502, '', 'TEMPORARY', undefined],
    [503, problem('unavailable'), 'TEMPORARY', undefined],
    [302, '', 'UNKNOWN', undefined],
  ];
  for (const [status, body, type, link] of cases) {
    const code = typeof body === 'object' ? body.error.code : `http_${status}`;
    test(`${status} ${code} gives ${type}${link ? ' with the settings link' : ''}`, () => {
      const result = failure(status, body);
      assert.equal(result.calls.length, 1);
      assert.deepEqual(result.error, link ? { conferenceErrorType: type, authenticationUrl: link } : { conferenceErrorType: type });
      assert.equal(result.code, code);
    });
  }

  test('a network failure gives TEMPORARY', () => {
    const result = failure(0, null, { respond: () => { throw new Error('Address unavailable: https://calendar.acme.example'); } });
    assert.equal(result.calls.length, 1);
    assert.deepEqual(result.error, { conferenceErrorType: 'TEMPORARY' });
    assert.equal(result.code, 'unreachable');
  });
});

describe('a 200 answer Calendar could not use gives UNKNOWN', () => {
  const cases = [
    ['not JSON', '<html>proxy login</html>', 'bad_answer'],
    ['no conference id', { ...ANSWER, conference_id: '' }, 'bad_answer'],
    ['no entry points list', { ...ANSWER, entry_points: null }, 'bad_answer'],
    ['a URI that is not a string', { ...ANSWER, entry_points: [{ type: 'video', uri: 42 }] }, 'bad_answer'],
    ['a numeric pin', { ...ANSWER, entry_points: [{ type: 'phone', uri: 'tel:+1', pin: 1234 }] }, 'bad_answer'],
    ['a parameter that is not a string', { ...ANSWER, parameters: { n: 1 } }, 'bad_answer'],
    ['a video link that is not http(s)', { ...ANSWER, entry_points: [{ type: 'video', uri: 'ftp://acme.example/x' }] }, 'invalid_conference_data'],
    ['two video links', { ...ANSWER, entry_points: [ANSWER.entry_points[0], ANSWER.entry_points[0]] }, 'invalid_conference_data'],
    ['only a more link', { ...ANSWER, entry_points: [ANSWER.entry_points[4]] }, 'invalid_conference_data'],
    ['no entry points at all', { ...ANSWER, entry_points: [] }, 'invalid_conference_data'],
    ['notes longer than Calendar keeps', { ...ANSWER, notes: 'x'.repeat(2049) }, 'invalid_conference_data'],
  ];
  for (const [name, body, code] of cases) {
    test(`${name} (${code})`, () => {
      const result = failure(200, body);
      assert.deepEqual(result.error, { conferenceErrorType: 'UNKNOWN' });
      assert.equal(result.code, code);
    });
  }
});

describe('before any request', () => {
  const cases = [
    ['SERVICE_URL is not set', {}, 'service_url_missing'],
    ['SERVICE_URL is blank', { SERVICE_URL: '   ' }, 'service_url_missing'],
    ['SERVICE_URL is plain http', { SERVICE_URL: 'http://calendar.acme.example' }, 'service_url_invalid'],
    ['SERVICE_URL is not a URL', { SERVICE_URL: 'calendar.acme.example' }, 'service_url_invalid'],
    ['SETTINGS_URL is plain http', { ...PROPERTIES, SETTINGS_URL: 'http://calendar.acme.example/app' }, 'settings_url_invalid'],
  ];
  for (const [name, properties, code] of cases) {
    test(`${name}: PERMANENT (${code}) and no request`, () => {
      const result = failure(200, ANSWER, { properties });
      assert.equal(result.calls.length, 0);
      assert.deepEqual(result.error, { conferenceErrorType: 'PERMANENT' });
      assert.equal(result.code, code);
    });
  }

  for (const [name, identityToken] of [
    ['no ID token', null],
    ['an empty ID token', ''],
    ['getIdentityToken throws', () => { throw new Error('Authorization is required to perform that action.'); }],
  ]) {
    test(`${name}: AUTHENTICATION with the settings link and no request`, () => {
      const result = failure(200, ANSWER, { identityToken });
      assert.equal(result.calls.length, 0);
      assert.deepEqual(result.error, { conferenceErrorType: 'AUTHENTICATION', authenticationUrl: 'https://calendar.acme.example/app' });
      assert.equal(result.code, 'no_identity_token');
    });
  }

  test('SETTINGS_URL, when set, is the link an authentication error carries', () => {
    const result = failure(200, ANSWER, { identityToken: null, properties: { ...PROPERTIES, SETTINGS_URL: 'https://intranet.acme.example/meetings' } });
    assert.equal(result.error.authenticationUrl, 'https://intranet.acme.example/meetings');
  });

  for (const [name, arg] of [['no argument', undefined], ['no event id', { eventData: { calendarId: CALENDAR } }], ['no calendar id', { eventData: { eventId: 'e1' } }]]) {
    test(`${name}: UNKNOWN and no request`, () => {
      const { addon, calls, logs } = withService(200, ANSWER);
      assert.deepEqual(json(addon.createSpaceConference(arg)).error, { conferenceErrorType: 'UNKNOWN' });
      assert.equal(calls.length, 0);
      assert.equal(JSON.parse(logs.at(-1).text).code, 'no_event');
    });
  }
});
