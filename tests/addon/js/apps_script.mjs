/**
 * TEST HARNESS ONLY: stand-ins for the Apps Script services the add-on uses, so that its .gs
 * sources run under Node. They are not Apps Script and must never be pushed with the add-on.
 *
 * Each stand-in follows the signatures of Google's Apps Script reference (ConferenceDataService and
 * its builders and enums, UrlFetchApp and HTTPResponse, ScriptApp.getIdentityToken,
 * PropertiesService, Utilities.computeDigest / base64DecodeWebSafe / newBlob) and enforces the
 * documented rules the add-on relies on: argument types, enum values (a plain string is not an
 * enum), URI schemes per entry point type, at most one video/SIP/more entry point, field lengths,
 * the authentication URL an AUTHENTICATION error needs, UrlFetchApp's documented options, and
 * UrlFetchApp throwing on an HTTP error unless muteHttpExceptions is set. Everything they were
 * asked to do is recorded for the tests to inspect.
 */

import { createHash } from 'node:crypto';

/** An Apps Script enum: named members that are objects, never strings. */
function makeEnum(kind, names) {
  const members = {};
  for (const name of names) {
    members[name] = Object.freeze({ kind, name: () => name, toString: () => name, toJSON: () => name });
  }
  return Object.freeze(members);
}

const ConferenceErrorType = makeEnum('ConferenceErrorType',
  ['AUTHENTICATION', 'CONFERENCE_SOLUTION_FORBIDDEN', 'PERMANENT', 'PERMISSION_DENIED', 'TEMPORARY', 'UNKNOWN']);
const EntryPointFeature = makeEnum('EntryPointFeature', ['UNKNOWN_FEATURE', 'TOLL', 'TOLL_FREE']);
const EntryPointType = makeEnum('EntryPointType', ['VIDEO', 'PHONE', 'MORE', 'SIP']);

const URI_SCHEMES = { VIDEO: /^https?:/, MORE: /^https?:/, PHONE: /^tel:/, SIP: /^sip:/ };
const CODE_FIELDS = ['accessCode', 'meetingCode', 'passcode', 'password', 'pin'];

function requireString(method, value) {
  if (typeof value !== 'string') {
    throw new TypeError(`${method}: expected a string, got ${typeof value}`);
  }
}

function requireMember(method, enumeration, value) {
  if (!Object.values(enumeration).includes(value)) {
    throw new TypeError(`${method}: not a member of the enum: ${String(value)}`);
  }
}

function requireMax(field, value, max) {
  if (value !== undefined && value.length > max) {
    throw new Error(`ConferenceDataBuilder.build: ${field} is longer than ${max} characters`);
  }
}

class EntryPoint {
  constructor() { this.fields = { features: [] }; }
  addFeature(feature) { requireMember('addFeature', EntryPointFeature, feature); this.fields.features.push(feature.name()); return this; }
  setAccessCode(value) { requireString('setAccessCode', value); this.fields.accessCode = value; return this; }
  setEntryPointType(type) { requireMember('setEntryPointType', EntryPointType, type); this.fields.entryPointType = type.name(); return this; }
  setMeetingCode(value) { requireString('setMeetingCode', value); this.fields.meetingCode = value; return this; }
  setPasscode(value) { requireString('setPasscode', value); this.fields.passcode = value; return this; }
  setPassword(value) { requireString('setPassword', value); this.fields.password = value; return this; }
  setPin(value) { requireString('setPin', value); this.fields.pin = value; return this; }
  setRegionCode(value) { requireString('setRegionCode', value); this.fields.regionCode = value; return this; }
  setUri(value) { requireString('setUri', value); this.fields.uri = value; return this; }

  /** The documented per-entry-point rules, checked when the conference is built. */
  validate() {
    const { entryPointType: type, uri, features, regionCode } = this.fields;
    if (!type || uri === undefined) {
      throw new Error('ConferenceDataBuilder.build: an entry point needs a type and a URI');
    }
    if (!URI_SCHEMES[type].test(uri)) {
      throw new Error(`ConferenceDataBuilder.build: a ${type} entry point needs a ${URI_SCHEMES[type]} URI`);
    }
    requireMax('uri', uri, 1300);
    for (const field of CODE_FIELDS) {
      requireMax(field, this.fields[field], 128);
    }
    if (type !== 'PHONE' && (features.length > 0 || regionCode !== undefined)) {
      throw new Error('ConferenceDataBuilder.build: features and region codes apply to PHONE entry points only');
    }
  }

  toJSON() {
    const out = { ...this.fields };
    if (out.features.length === 0) {
      delete out.features;
    }
    return out;
  }
}

class ConferenceParameter {
  setKey(key) { requireString('setKey', key); this.key = key; return this; }
  setValue(value) { requireString('setValue', value); this.value = value; return this; }
}

class ConferenceError {
  setAuthenticationUrl(url) { requireString('setAuthenticationUrl', url); this.authenticationUrl = url; return this; }
  setConferenceErrorType(type) { requireMember('setConferenceErrorType', ConferenceErrorType, type); this.type = type.name(); return this; }
}

/** What build() returns; printJson() is this harness's JSON view of it. */
class ConferenceData {
  constructor(json) { this.json = json; }
  printJson() { return JSON.stringify(this.json); }
}

class ConferenceDataBuilder {
  constructor(solutionIds) {
    this.solutionIds = solutionIds;
    this.entryPoints = [];
    this.parameters = [];
  }

  addConferenceParameter(parameter) {
    if (!(parameter instanceof ConferenceParameter)) {
      throw new TypeError('addConferenceParameter: expected a ConferenceParameter');
    }
    this.parameters.push(parameter);
    return this;
  }

  addEntryPoint(entryPoint) {
    if (!(entryPoint instanceof EntryPoint)) {
      throw new TypeError('addEntryPoint: expected an EntryPoint');
    }
    this.entryPoints.push(entryPoint);
    return this;
  }

  setConferenceId(id) { requireString('setConferenceId', id); this.conferenceId = id; return this; }
  setConferenceSolutionId(id) { requireString('setConferenceSolutionId', id); this.conferenceSolutionId = id; return this; }
  setNotes(notes) { requireString('setNotes', notes); this.notes = notes; return this; }

  setError(error) {
    if (!(error instanceof ConferenceError)) {
      throw new TypeError('setError: expected a ConferenceError');
    }
    this.error = error;
    return this;
  }

  /** Builds and validates, as the reference says: throws on data Calendar would refuse. */
  build() {
    if (!this.solutionIds.includes(this.conferenceSolutionId)) {
      throw new Error(`ConferenceDataBuilder.build: the solution id must be one of the manifest's: ${this.conferenceSolutionId}`);
    }
    if (this.error) {
      if (!this.error.type) {
        throw new Error('ConferenceDataBuilder.build: the error has no type');
      }
      if (this.error.type === 'AUTHENTICATION' && !this.error.authenticationUrl) {
        throw new Error('ConferenceDataBuilder.build: an AUTHENTICATION error needs an authentication URL');
      }
      requireMax('authenticationUrl', this.error.authenticationUrl, 1800);
      return new ConferenceData({
        conferenceSolutionId: this.conferenceSolutionId,
        error: { conferenceErrorType: this.error.type, authenticationUrl: this.error.authenticationUrl },
      });
    }
    requireMax('conferenceId', this.conferenceId, 512);
    requireMax('notes', this.notes, 2048);
    if (this.entryPoints.length === 0 || this.entryPoints.length > 300 || this.parameters.length > 300) {
      throw new Error('ConferenceDataBuilder.build: a conference has 1 to 300 entry points and at most 300 parameters');
    }
    this.entryPoints.forEach((entryPoint) => entryPoint.validate());
    const count = (type) => this.entryPoints.filter((e) => e.fields.entryPointType === type).length;
    for (const type of ['VIDEO', 'SIP', 'MORE']) {
      if (count(type) > 1) {
        throw new Error(`ConferenceDataBuilder.build: at most one ${type} entry point`);
      }
    }
    if (count('MORE') === this.entryPoints.length) {
      throw new Error('ConferenceDataBuilder.build: a conference with only a MORE entry point is not valid');
    }
    const parameters = {};
    for (const parameter of this.parameters) {
      if (parameter.key === undefined || parameter.value === undefined) {
        throw new Error('ConferenceDataBuilder.build: a parameter needs a key and a value');
      }
      requireMax('parameter key', parameter.key, 50);
      requireMax('parameter value', parameter.value, 1024);
      parameters[parameter.key] = parameter.value;
    }
    return new ConferenceData({
      conferenceSolutionId: this.conferenceSolutionId,
      conferenceId: this.conferenceId,
      entryPoints: this.entryPoints.map((e) => e.toJSON()),
      notes: this.notes,
      parameters,
    });
  }
}

function conferenceDataService(solutionIds) {
  return Object.freeze({
    ConferenceErrorType,
    EntryPointFeature,
    EntryPointType,
    newConferenceDataBuilder: () => new ConferenceDataBuilder(solutionIds),
    newConferenceError: () => new ConferenceError(),
    newConferenceParameter: () => new ConferenceParameter(),
    newEntryPoint: () => new EntryPoint(),
  });
}

const FETCH_OPTIONS = new Set(['contentType', 'headers', 'method', 'payload', 'useIntranet',
  'validateHttpsCertificates', 'followRedirects', 'muteHttpExceptions', 'escaping']);
const FETCH_METHODS = new Set(['get', 'delete', 'patch', 'post', 'put']);

class HTTPResponse {
  constructor(status, text, headers) { this.status = status; this.text = text; this.headers = headers; }
  getResponseCode() { return this.status; }
  getContentText() { return this.text; }
  getContent() { return Array.from(Buffer.from(this.text, 'utf8'), (b) => (b > 127 ? b - 256 : b)); }
  getHeaders() { return { ...this.headers }; }
  getAllHeaders() { return { ...this.headers }; }
}

/**
 * UrlFetchApp.fetch(url, params) handing each request to `respond({url, params})`, which returns
 * {status, body (string or JSON value), headers} or throws to stand for a network failure.
 */
function urlFetchApp(respond, calls) {
  return Object.freeze({
    fetch(url, params = {}) {
      requireString('UrlFetchApp.fetch', url);
      for (const key of Object.keys(params)) {
        if (!FETCH_OPTIONS.has(key)) {
          throw new TypeError(`UrlFetchApp.fetch: unknown option ${key}`);
        }
      }
      if (params.method !== undefined && !FETCH_METHODS.has(String(params.method).toLowerCase())) {
        throw new TypeError(`UrlFetchApp.fetch: unknown method ${params.method}`);
      }
      calls.push({ url, params });
      const answer = respond({ url, params });
      const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? null);
      if (answer.status >= 400 && !params.muteHttpExceptions) {
        throw new Error(`Request failed for ${url} returned code ${answer.status}`);
      }
      return new HTTPResponse(answer.status, text, answer.headers ?? { 'Content-Type': 'application/json' });
    },
  });
}

class Properties {
  constructor(values) { this.values = new Map(Object.entries(values)); }
  getProperty(key) { return this.values.has(key) ? this.values.get(key) : null; }
  getProperties() { return Object.fromEntries(this.values); }
  getKeys() { return [...this.values.keys()]; }
  setProperty(key, value) { requireString('setProperty', key); this.values.set(key, String(value)); return this; }
  deleteProperty(key) { this.values.delete(key); return this; }
}

const DigestAlgorithm = makeEnum('DigestAlgorithm', ['MD2', 'MD5', 'SHA_1', 'SHA_256', 'SHA_384', 'SHA_512']);
const Charset = makeEnum('Charset', ['US_ASCII', 'UTF_8']);
const NODE_DIGESTS = { MD5: 'md5', SHA_1: 'sha1', SHA_256: 'sha256', SHA_384: 'sha384', SHA_512: 'sha512' };

/** Apps Script's Byte[]: signed bytes. */
const signed = (buffer) => Array.from(buffer, (b) => (b > 127 ? b - 256 : b));
const unsigned = (bytes) => Buffer.from(bytes.map((b) => b & 0xff));

const utilities = Object.freeze({
  DigestAlgorithm,
  Charset,
  computeDigest(algorithm, value, charset = Charset.UTF_8) {
    requireMember('computeDigest', DigestAlgorithm, algorithm);
    requireMember('computeDigest', Charset, charset);
    const data = typeof value === 'string' ? Buffer.from(value, charset === Charset.UTF_8 ? 'utf8' : 'ascii') : unsigned(value);
    return signed(createHash(NODE_DIGESTS[algorithm.name()]).update(data).digest());
  },
  base64DecodeWebSafe(encoded) {
    requireString('base64DecodeWebSafe', encoded);
    if (!/^[A-Za-z0-9_-]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0) {
      throw new Error('Could not decode string.');
    }
    return signed(Buffer.from(encoded, 'base64url'));
  },
  newBlob(data) {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : unsigned(data);
    return Object.freeze({ getDataAsString: () => bytes.toString('utf8'), getBytes: () => signed(bytes) });
  },
});

/**
 * A fresh set of stand-ins.
 *
 * @param {Object} options
 * @param {string[]} options.solutionIds the manifest's conference solution ids.
 * @param {Object<string,string>} options.properties the Script Properties.
 * @param {?string|function} options.identityToken what ScriptApp.getIdentityToken() returns, or a
 *     function it calls (which may throw).
 * @param {function} options.respond UrlFetchApp's answer to each request.
 */
export function appsScript({ solutionIds, properties = {}, identityToken = null, respond }) {
  const calls = [];
  const logs = [];
  const scriptProperties = new Properties(properties);
  const record = (level) => (...args) => logs.push({ level, text: args.map(String).join(' ') });
  const globals = {
    ConferenceDataService: conferenceDataService(solutionIds),
    UrlFetchApp: urlFetchApp(respond ?? (() => { throw new Error('no network in this test'); }), calls),
    ScriptApp: Object.freeze({
      getIdentityToken: () => (typeof identityToken === 'function' ? identityToken() : identityToken),
      getScriptId: () => 'test-script-id',
    }),
    PropertiesService: Object.freeze({ getScriptProperties: () => scriptProperties }),
    Utilities: utilities,
    console: Object.freeze({ log: record('log'), info: record('info'), warn: record('warn'), error: record('error') }),
  };
  return { globals, calls, logs };
}
