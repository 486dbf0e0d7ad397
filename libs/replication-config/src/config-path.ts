import { MAX_ECHOED_CHARACTERS, quoteValue } from '@service-replicator/references';

/** Where a value sits in a document: mapping keys and list indexes, outermost first. */
export type ConfigPath = readonly (string | number)[];

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/**
 * `networking.replicateServices.toHost[2].from`; odd keys are quoted so the path stays
 * unambiguous, and overlong ones cut (quoteValue), so a 5 MB key does not make a 5 MB path.
 */
export function formatPath(path: ConfigPath): string {
  return path.reduce<string>((text, segment) => {
    if (typeof segment === 'number') return `${text}[${segment}]`;
    if (!PLAIN_KEY.test(segment) || segment.length > MAX_ECHOED_CHARACTERS) return `${text}[${quoteValue(segment)}]`;
    return text === '' ? segment : `${text}.${segment}`;
  }, '');
}
