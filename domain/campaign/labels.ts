// No imports: the web app's suppression list bundles this, as the CLI's `campaign suppressed` uses it.

/**
 * Where a suppression came from, as a person reads it: a run's workflow id
 * (`campaign-spring-offer`, what the unsubscribe link and the bounce record) is the campaign
 * `spring-offer` every other screen names; `api:<login>` is someone who added it by hand.
 */
export function suppressionSourceText(source: string): string {
  if (source.startsWith('campaign-')) return `campaign ${source.slice('campaign-'.length)}`;
  if (source.startsWith('api:')) return `added by ${source.slice('api:'.length)}`;
  return source;
}
