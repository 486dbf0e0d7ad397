export {
  dns1035LabelError,
  dns1123LabelError,
  dns1123SubdomainError,
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
} from './dns-names';
export { formatRef, sameRef, type ObjectRef } from './object-ref';
export { describeValue, parseReference, type ReferenceParseResult } from './parse-reference';
export { MAX_ECHOED_CHARACTERS, quoteValue } from './quote-value';
