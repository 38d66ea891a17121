import { createCampaignActivities, type CampaignDeps } from './campaign/campaign';
import { createCampaignAudienceActivities } from './campaign/campaignAudience';
import { createMailActivities, type MailDeps } from './shared/mail';
import { createDocumentActivities } from './pipeline/documents';
import { createReportingActivities, type ReportingDeps } from './reporting/readModel';
import { createCustomerActivities } from './customer/customer';

/** `mailer` is transactional mail's transport; campaigns bring their own pool. `campaignDir`: the only folder audience CSVs are read from (default: the working directory). */
export type ActivityDeps = MailDeps & ReportingDeps & { campaign: Omit<CampaignDeps, 'from'> & { campaignDir?: string } };

/**
 * Every activity the worker registers, built from its dependencies so tests hand in a real
 * SMTP transport pointed at a loopback sink.
 */
export function createActivities(deps: ActivityDeps) {
  const mail = createMailActivities(deps);
  return {
    ...mail,
    ...createDocumentActivities({ db: deps.db, sendMail: mail.sendMail }),
    ...createReportingActivities(deps),
    ...createCampaignActivities({ ...(deps.reportDb ? { reportDb: deps.reportDb } : {}), ...deps.campaign, from: deps.from }),
    ...createCampaignAudienceActivities({ store: deps.campaign.store, temporal: deps.campaign.temporal, campaignDir: deps.campaign.campaignDir ?? process.cwd() }),
    ...createCustomerActivities({ temporal: deps.campaign.temporal }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
