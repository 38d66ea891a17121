import { ConnectionConfigSchema, HttpConfigSchema, unsubscribeSecretProblem } from '../domain/shared/config';
import { describeIssues } from '../domain/shared/errors';
import { CampaignClient } from './campaign/campaignClient';
import { startHttpServer } from './campaign/http';

/**
 * `npm run api`: the HTTP endpoint (unsubscribe links) on its own, for deployments where
 * `npm start`'s all-in-one stack does not run (docker-compose, a cluster). Workers must
 * share SALESFLOW_UNSUBSCRIBE_SECRET with it and point SALESFLOW_PUBLIC_URL at it.
 */
async function main(): Promise<void> {
  const parsed = HttpConfigSchema.safeParse(process.env);
  if (!parsed.success) throw new Error(`bad configuration: ${describeIssues(parsed.error).join('; ')}`);
  const config = parsed.data;
  const problem = unsubscribeSecretProblem(config.SALESFLOW_UNSUBSCRIBE_SECRET, config.SALESFLOW_DEV_STACK);
  if (problem) throw new Error(problem);
  const campaigns = await CampaignClient.connect(ConnectionConfigSchema.parse(process.env));
  const http = await startHttpServer({ port: config.SALESFLOW_HTTP_PORT, host: config.SALESFLOW_HTTP_HOST, secret: config.SALESFLOW_UNSUBSCRIBE_SECRET, campaigns });
  console.log(`salesflow api on ${http.url} (Temporal ${config.TEMPORAL_ADDRESS})`);
  const stop = async () => {
    await http.close();
    await campaigns.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err) => {
  console.error(`salesflow api: ${(err as Error).message}`);
  process.exit(1);
});
