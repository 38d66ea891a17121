import { createCampaignActivities, type CampaignDeps } from './campaign';
import { createMailActivities, type MailDeps } from './mail';

/** `mailer` is transactional mail's transport; campaigns bring their own pool. */
export type ActivityDeps = MailDeps & { campaign: Omit<CampaignDeps, 'from'> };

/**
 * Every activity the worker registers, built from its dependencies so tests hand in a real
 * SMTP transport pointed at a loopback sink.
 */
export function createActivities(deps: ActivityDeps) {
  return { ...createMailActivities(deps), ...createCampaignActivities({ ...deps.campaign, from: deps.from }) };
}

export type Activities = ReturnType<typeof createActivities>;
