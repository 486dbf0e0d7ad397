import { describeValue } from '@service-replicator/references';
import { ValidateBy, type ValidationArguments, type ValidationOptions } from 'class-validator';

/**
 * Messages and checks shared by the DTOs. Messages never repeat the property name: every issue
 * already starts with its full path.
 */

/** Options for a type check: "is required" when the key is missing, else what was found. */
export function mustBe(what: string): ValidationOptions {
  return { message: (args: ValidationArguments) => typeMismatch(what, args.value) };
}

function typeMismatch(what: string, value: unknown): string {
  return value === undefined ? 'is required' : `must be ${what}, got ${describeValue(value)}`;
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A string that passes `check`, which returns why a string is unacceptable or undefined.
 * One decorator gives one message, instead of a type error and a format error for the same key.
 */
export function IsCheckedString(name: string, check: (value: string) => string | undefined): PropertyDecorator {
  return ValidateBy({
    name,
    validator: {
      validate: (value: unknown) => typeof value === 'string' && check(value) === undefined,
      defaultMessage: (args?: ValidationArguments) =>
        typeof args?.value === 'string' ? (check(args.value) ?? '') : typeMismatch('a string', args?.value),
    },
  });
}

/** A list whose every item passes `isItem`; the message names the first item that does not. */
export function IsListOf(name: string, itemKind: string, isItem: (item: unknown) => boolean): PropertyDecorator {
  return ValidateBy({
    name,
    validator: {
      validate: (value: unknown) => Array.isArray(value) && value.every(isItem),
      defaultMessage: (args?: ValidationArguments) => listProblem(args?.value, itemKind, isItem),
    },
  });
}

function listProblem(value: unknown, itemKind: string, isItem: (item: unknown) => boolean): string {
  if (!Array.isArray(value)) return typeMismatch('a list', value);
  const index = value.findIndex((item) => !isItem(item));
  return `item [${index}] must be ${itemKind}, got ${describeValue(value[index])}`;
}

/**
 * A mapping that sets exactly one of `keys`; a key given as null (`file:` with no value) counts as
 * not set. Values that are not mappings are left to the type check.
 */
export function HasExactlyOneOf(keys: readonly string[]): PropertyDecorator {
  const choices = keys.length === 2 ? keys.join(' or ') : `${keys.slice(0, -1).join(', ')} or ${keys[keys.length - 1]}`;
  return ValidateBy({
    name: 'hasExactlyOneOf',
    validator: {
      validate: (value: unknown) => !isMapping(value) || keys.filter((key) => value[key] !== undefined && value[key] !== null).length === 1,
      defaultMessage: () => `exactly one of ${choices}`,
    },
  });
}

export function nonEmpty(value: string): string | undefined {
  return value === '' ? 'must not be empty' : undefined;
}
