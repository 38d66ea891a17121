import { DomainError } from '../../domain/shared/errors';

/** A commander parser for a flag that takes a positive whole number (`--limit 50`), refusing anything else with the flag's name. */
export function positiveInt(flag: string) {
  return (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n <= 0) throw new DomainError(`${flag} "${text}": must be a positive whole number`);
    return n;
  };
}
