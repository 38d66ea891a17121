import { createCampaignActivities, type CampaignDeps } from './campaign';
import { createCampaignAudienceActivities } from './campaignAudience';
import { createMailActivities, type MailDeps } from './mail';

export type ActivityDeps = MailDeps & {
  /** `campaignDir`: the only folder audience CSVs are read from (default: the working directory). */
  campaign: Omit<CampaignDeps, 'mailer' | 'from'> & { campaignDir?: string };
};

/**
 * Every activity the worker registers, built from its dependencies so tests hand in a real
 * SMTP transport pointed at a loopback sink.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createMailActivities(deps),
    ...createCampaignActivities({ ...deps.campaign, mailer: deps.mailer, from: deps.from }),
    ...createCampaignAudienceActivities({ store: deps.campaign.store, temporal: deps.campaign.temporal, campaignDir: deps.campaign.campaignDir ?? process.cwd() }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
