/**
 * The conference solutions' create functions: ask the Hybrid Calendar service for the event's
 * meeting and hand Calendar the answer as ConferenceData.
 *
 * Calendar calls a solution's onCreateFunction when a user picks that solution for an event (the
 * event may not be saved yet). The service gets or creates the meeting for that event with the
 * same providers and the same per-meeting record as the @webex keyword, so an event that has both
 * ends up with one meeting. The user is identified by their Google ID token
 * (ScriptApp.getIdentityToken()), which the service verifies like the app's.
 */

/** onCreateFunction of the personal-room solution (manifest id webex_personal_room). */
function createPersonalRoomConference(arg) {
  return createConference_(arg, SOLUTIONS.PERSONAL_ROOM);
}

/** onCreateFunction of the per-meeting space solution (manifest id webex_space). */
function createSpaceConference(arg) {
  return createConference_(arg, SOLUTIONS.SPACE);
}

/**
 * Gets or creates the meeting of the event `arg.eventData` names, for `solution`.
 *
 * @param {Object} arg what Calendar passes an onCreateFunction: arg.eventData.calendarId and
 *     arg.eventData.eventId name the event.
 * @param {string} solution the manifest id of the solution the user picked.
 * @return {ConferenceData} the conference, or a conference error Calendar shows to the user.
 */
function createConference_(arg, solution) {
  var eventData = (arg && arg.eventData) || {};
  var calendarId = eventData.calendarId;
  var eventId = eventData.eventId;
  var context = { event: typeof eventId === 'string' ? eventId : null, solution: solution };
  if (!trimmed_(calendarId) || !trimmed_(eventId)) {
    return failed_(ConferenceDataService.ConferenceErrorType.UNKNOWN, solution, null, context, 'no_event');
  }
  var config = readConfig_();
  if (config.error) {
    return failed_(ConferenceDataService.ConferenceErrorType.PERMANENT, solution, null, context, config.error);
  }
  var token = identityToken_();
  if (!token) {
    return failed_(ConferenceDataService.ConferenceErrorType.AUTHENTICATION, solution, config.settingsUrl, context,
      'no_identity_token');
  }
  context.request = requestId_(calendarId, eventId, solution);
  var response;
  try {
    response = UrlFetchApp.fetch(config.serviceUrl + CONFERENCES_PATH, {
      method: 'post',
      contentType: 'application/json',
      headers: { Authorization: 'Bearer ' + token, Accept: 'application/json' },
      payload: JSON.stringify({
        calendar_id: calendarId,
        event_id: eventId,
        solution: solution,
        request_id: context.request,
      }),
      muteHttpExceptions: true,
      followRedirects: false,
    });
  } catch (e) {
    return failed_(ConferenceDataService.ConferenceErrorType.TEMPORARY, solution, null, context, 'unreachable');
  }
  context.status = response.getResponseCode();
  var body = parsedJson_(response.getContentText());
  if (context.status === 200 || context.status === 201) {
    return conferenceFromAnswer_(body, solution, context);
  }
  var problem = (body && typeof body.error === 'object' && body.error) || {};
  var code = typeof problem.code === 'string' ? problem.code : 'http_' + context.status;
  var type = errorTypeFor_(context.status, code);
  var link = null;
  if (type === ConferenceDataService.ConferenceErrorType.AUTHENTICATION) {
    link = isHttpsUrl_(problem.settings_url) ? problem.settings_url : config.settingsUrl;
  }
  return failed_(type, solution, link, context, code);
}

/**
 * The ConferenceErrorType for an error answer of the service.
 *
 * 401, and 403 not_activated (the user or their org is not active), send the user to the settings
 * page; 403 otherwise is a refusal; 409 solution_not_offered means the org does not offer that kind
 * of meeting; 408, 429 and 5xx are worth a retry; anything else is unknown.
 */
function errorTypeFor_(status, code) {
  var types = ConferenceDataService.ConferenceErrorType;
  if (status === 401 || (status === 403 && code === 'not_activated')) {
    return types.AUTHENTICATION;
  }
  if (status === 403) {
    return types.PERMISSION_DENIED;
  }
  if (status === 409 && code === 'solution_not_offered') {
    return types.CONFERENCE_SOLUTION_FORBIDDEN;
  }
  if (status === 408 || status === 429 || (status >= 500 && status <= 599)) {
    return types.TEMPORARY;
  }
  return types.UNKNOWN;
}

/** The user's Google ID token, or '' when Apps Script has none (openid scope not granted). */
function identityToken_() {
  try {
    return trimmed_(ScriptApp.getIdentityToken());
  } catch (e) {
    return '';
  }
}

/**
 * A stable id for this create call: the same event and solution always give the same id, so a
 * retried call cannot create a second meeting, while another event (a duplicate has a new event id)
 * or another solution gets its own. A digest, so that logs and the service never need the calendar
 * id (an email address) to name the request.
 */
function requestId_(calendarId, eventId, solution) {
  var digest = Utilities.computeDigest(Utilities.DigestAlgorithm.SHA_256,
    [solution, calendarId, eventId].join('\n'), Utilities.Charset.UTF_8);
  return 'addon-' + digest.map(function (b) {
    return ((b & 0xff) + 0x100).toString(16).slice(1);
  }).join('');
}

/** `text` parsed as JSON, or null when it is not JSON. */
function parsedJson_(text) {
  try {
    return JSON.parse(text);
  } catch (e) {
    return null;
  }
}
