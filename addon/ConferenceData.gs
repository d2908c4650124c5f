/**
 * ConferenceData from the service's answers: the conference with its entry points, notes and
 * parameters, or the conference error Calendar shows to the user.
 */

/** The service's entry point types and Apps Script's names for them. */
var ENTRY_POINT_TYPES_ = Object.freeze({ video: 'VIDEO', sip: 'SIP', phone: 'PHONE', more: 'MORE' });

/** The service's entry point features (phone numbers only) and Apps Script's names for them. */
var ENTRY_POINT_FEATURES_ = Object.freeze({ toll: 'TOLL', toll_free: 'TOLL_FREE' });

/** The service's access-code fields and the EntryPoint setter each one goes to. */
var ENTRY_POINT_CODES_ = Object.freeze({
  pin: 'setPin',
  passcode: 'setPasscode',
  password: 'setPassword',
  access_code: 'setAccessCode',
  meeting_code: 'setMeetingCode',
});

/**
 * The conference of a 200 answer, or an UNKNOWN conference error when the answer is not one
 * (not JSON, a field of the wrong type, or data Calendar would refuse).
 */
function conferenceFromAnswer_(answer, solution, context) {
  var data;
  try {
    data = conferenceBuilder_(answer, solution).build();
  } catch (e) {
    var code = e && e.name === 'BadAnswer' ? 'bad_answer' : 'invalid_conference_data';
    return failed_(ConferenceDataService.ConferenceErrorType.UNKNOWN, solution, null, context, code);
  }
  log_('created', context);
  return data;
}

/** A ConferenceDataBuilder filled from the service's answer; throws BadAnswer when it has the wrong shape. */
function conferenceBuilder_(answer, solution) {
  if (!answer || typeof answer !== 'object' || !trimmed_(answer.conference_id) || !Array.isArray(answer.entry_points)) {
    throw badAnswer_();
  }
  // The service may answer with the solution the event already has (the keyword's personal room,
  // say); Calendar then shows that solution.
  var known = Object.keys(SOLUTIONS).map(function (key) { return SOLUTIONS[key]; });
  var builder = ConferenceDataService.newConferenceDataBuilder()
    .setConferenceSolutionId(known.indexOf(answer.solution) >= 0 ? answer.solution : solution)
    .setConferenceId(answer.conference_id);
  answer.entry_points.forEach(function (raw) {
    var entryPoint = entryPoint_(raw);
    if (entryPoint) {
      builder.addEntryPoint(entryPoint);
    }
  });
  if (answer.notes !== undefined && answer.notes !== null && answer.notes !== '') {
    if (typeof answer.notes !== 'string') {
      throw badAnswer_();
    }
    builder.setNotes(answer.notes);
  }
  var parameters = answer.parameters === undefined || answer.parameters === null ? {} : answer.parameters;
  if (typeof parameters !== 'object' || Array.isArray(parameters)) {
    throw badAnswer_();
  }
  Object.keys(parameters).sort().forEach(function (key) {
    if (typeof parameters[key] !== 'string') {
      throw badAnswer_();
    }
    builder.addConferenceParameter(
      ConferenceDataService.newConferenceParameter().setKey(key).setValue(parameters[key]));
  });
  return builder;
}

/**
 * One EntryPoint from the service's entry point, or null for a type this add-on does not know yet
 * (a newer service may offer more). Phone features and region codes apply to phone numbers only.
 */
function entryPoint_(raw) {
  if (!raw || typeof raw !== 'object' || typeof raw.type !== 'string' || typeof raw.uri !== 'string') {
    throw badAnswer_();
  }
  var typeName = ENTRY_POINT_TYPES_[raw.type];
  if (!typeName) {
    return null;
  }
  var isPhone = typeName === 'PHONE';
  var entryPoint = ConferenceDataService.newEntryPoint()
    .setEntryPointType(ConferenceDataService.EntryPointType[typeName])
    .setUri(raw.uri);
  Object.keys(ENTRY_POINT_CODES_).forEach(function (field) {
    var value = raw[field];
    if (value === undefined || value === null || value === '') {
      return;
    }
    if (typeof value !== 'string') {
      throw badAnswer_();
    }
    entryPoint[ENTRY_POINT_CODES_[field]](value);
  });
  if (isPhone && typeof raw.region_code === 'string' && raw.region_code) {
    entryPoint.setRegionCode(raw.region_code);
  }
  var features = raw.features === undefined || raw.features === null ? [] : raw.features;
  if (!Array.isArray(features)) {
    throw badAnswer_();
  }
  features.forEach(function (feature) {
    var featureName = ENTRY_POINT_FEATURES_[feature];
    if (isPhone && featureName) {
      entryPoint.addFeature(ConferenceDataService.EntryPointFeature[featureName]);
    }
  });
  return entryPoint;
}

/**
 * A ConferenceData that carries only an error, logged with its code.
 *
 * @param {ConferenceErrorType} type the error type Calendar shows.
 * @param {string} solution the solution the user picked.
 * @param {?string} link for AUTHENTICATION: the page where the user fixes their account.
 * @param {Object} context ids for the log line.
 * @param {string} code a machine-readable reason for the log line.
 */
function failed_(type, solution, link, context, code) {
  var error = ConferenceDataService.newConferenceError().setConferenceErrorType(type);
  if (link) {
    error.setAuthenticationUrl(link);
  }
  context.code = code;
  log_('failed', context);
  return ConferenceDataService.newConferenceDataBuilder()
    .setConferenceSolutionId(solution)
    .setError(error)
    .build();
}

/** The error conferenceBuilder_ throws for an answer of the wrong shape. */
function badAnswer_() {
  var error = new Error('the service answered with an unexpected shape');
  error.name = 'BadAnswer';
  return error;
}
