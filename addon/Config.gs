/**
 * Hybrid Calendar conferencing add-on: its settings and its log lines.
 *
 * Settings are Script Properties (Project Settings > Script Properties in the Apps Script editor):
 *   SERVICE_URL   required. The service's base URL, https only, e.g. https://calendar.example.com
 *                 (the add-on calls SERVICE_URL + "/v1/conferences"; the manifest's urlFetchWhitelist
 *                 must allow exactly that URL).
 *   SETTINGS_URL  optional. Where a user goes to fix their account; SERVICE_URL + "/app" when unset.
 *
 * Log lines carry ids and codes only: never a token, an email address or event text. A calendar id
 * is usually its owner's email address, so it is never logged either.
 */

/** The conference solutions of the manifest, by the provider kind the service offers. */
var SOLUTIONS = Object.freeze({
  PERSONAL_ROOM: 'webex_personal_room',
  SPACE: 'webex_space',
});

/** The path of the service's conference route, below SERVICE_URL. */
var CONFERENCES_PATH = '/v1/conferences';

/** Longest URL Calendar accepts as an authentication link (ConferenceError.setAuthenticationUrl). */
var MAX_AUTHENTICATION_URL = 1800;

var HTTPS_URL_ = /^https:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?(\/[^\s?#]*)?$/;

/**
 * The add-on's settings from the Script Properties.
 *
 * @return {{serviceUrl: string, settingsUrl: string}|{error: string}} the settings, or an error code
 *     (service_url_missing, service_url_invalid, settings_url_invalid) when an admin must fix them.
 */
function readConfig_() {
  var properties = PropertiesService.getScriptProperties();
  var service = trimmed_(properties.getProperty('SERVICE_URL'));
  if (!service) {
    return { error: 'service_url_missing' };
  }
  service = service.replace(/\/+$/, '');
  if (!HTTPS_URL_.test(service)) {
    return { error: 'service_url_invalid' };
  }
  var settings = trimmed_(properties.getProperty('SETTINGS_URL'));
  if (settings && !isHttpsUrl_(settings)) {
    return { error: 'settings_url_invalid' };
  }
  return { serviceUrl: service, settingsUrl: settings || service + '/app' };
}

/** Whether `value` is an https URL Calendar can show as a link. */
function isHttpsUrl_(value) {
  return typeof value === 'string' && value.length <= MAX_AUTHENTICATION_URL && /^https:\/\/[^\s/?#]+(\/\S*)?$/.test(value);
}

/** `value` without surrounding blanks, or '' when it is not a string. */
function trimmed_(value) {
  return typeof value === 'string' ? value.trim() : '';
}

/**
 * Writes one log line to Cloud Logging with ids and codes only.
 *
 * @param {string} outcome what happened: created, failed, ...
 * @param {Object} fields only event, solution, request, status and code are written; anything else
 *     a caller passes is dropped, so no token, email or text can slip into a log line.
 */
function log_(outcome, fields) {
  var line = { component: 'hybrid-calendar-addon', outcome: outcome };
  ['event', 'solution', 'request', 'status', 'code'].forEach(function (key) {
    if (fields && fields[key] !== undefined && fields[key] !== null) {
      line[key] = fields[key];
    }
  });
  console.log(JSON.stringify(line));
}
