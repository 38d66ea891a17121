import { createMailActivities, type MailDeps } from './mail';

export type ActivityDeps = MailDeps;

/**
 * Every activity the worker registers, built from its dependencies so tests hand in a real
 * SMTP transport pointed at a loopback sink.
 */
export function createActivities(deps: ActivityDeps) {
  return { ...createMailActivities(deps) };
}

export type Activities = ReturnType<typeof createActivities>;
