/**
 * The add-on's settings link (the manifest's createSettingsUrlFunction) and a helper an admin runs
 * once from the Apps Script editor to learn the OAuth client id the service must accept.
 */

/** The page Calendar links as this add-on's settings: SETTINGS_URL, else SERVICE_URL + "/app". */
function createSettingsUrl() {
  var config = readConfig_();
  if (config.error) {
    log_('failed', { code: config.error });
    throw new Error('Hybrid Calendar add-on: set the Script Property SERVICE_URL to the service\'s https URL ('
      + config.error + ').');
  }
  return config.settingsUrl;
}

/**
 * Logs and returns the OAuth client id that this project's ID tokens are issued for (their `aud`).
 *
 * Run it from the editor (select showOAuthClientId, then Run) after the project is linked to its
 * Google Cloud project, and give the id to the service as HYBRIDCAL_ADDON_CLIENT_IDS. Only the
 * client id is logged: neither the token nor the address in it.
 */
function showOAuthClientId() {
  var token = identityToken_();
  if (!token) {
    throw new Error('No ID token: the manifest must list the openid scope, and the script must be authorised.');
  }
  var parts = token.split('.');
  if (parts.length !== 3) {
    throw new Error('The ID token is not a JWT.');
  }
  var body = parts[1];
  while (body.length % 4) {
    body += '=';
  }
  var claims = parsedJson_(Utilities.newBlob(Utilities.base64DecodeWebSafe(body)).getDataAsString());
  var audience = claims && claims.aud;
  if (typeof audience !== 'string' || !audience) {
    throw new Error('The ID token has no audience.');
  }
  console.log('OAuth client id for HYBRIDCAL_ADDON_CLIENT_IDS: ' + audience);
  return audience;
}
