export { errorMessage, MAX_TEXT_LENGTH, redactSecrets, redactValue, truncate } from './redact';
