/**
 * Loads the add-on's .gs sources into a fresh V8 context with the test harness's Apps Script
 * stand-ins, the way Apps Script runs a project: every file in one global scope, in name order.
 */

import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

import { appsScript } from './apps_script.mjs';

export const ADDON = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'addon');
export const MANIFEST = JSON.parse(readFileSync(join(ADDON, 'appsscript.json'), 'utf8'));
export const SOLUTION_IDS = MANIFEST.addOns.calendar.conferenceSolution.map((s) => s.id);
export const SOURCES = readdirSync(ADDON).filter((name) => name.endsWith('.gs')).sort();

/** A realistic ID token: header.claims.signature, base64url, with an email and the script's client id. */
export function idToken(claims = {}) {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return [
    part({ alg: 'RS256', kid: 'k1', typ: 'JWT' }),
    part({
      iss: 'https://accounts.google.com',
      aud: '1234567890-addon.apps.googleusercontent.com',
      sub: '1001',
      email: 'ana@acme.example',
      email_verified: true,
      ...claims,
    }),
    'c2lnbmF0dXJl',
  ].join('.');
}

/**
 * The add-on, loaded with fresh stand-ins.
 *
 * @return {{addon: Object, calls: Object[], logs: Object[]}} the add-on's global scope (call its
 *     functions on it), the UrlFetchApp requests it made and the lines it logged.
 */
export function loadAddon(options = {}) {
  const { globals, calls, logs } = appsScript({ solutionIds: SOLUTION_IDS, ...options });
  const context = vm.createContext({ ...globals });
  for (const name of SOURCES) {
    vm.runInContext(readFileSync(join(ADDON, name), 'utf8'), context, { filename: name });
  }
  return { addon: context, calls, logs };
}

/** The JSON view of a ConferenceData the add-on returned. */
export function json(conferenceData) {
  return JSON.parse(conferenceData.printJson());
}
