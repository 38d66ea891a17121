import { ServerConfigSchema } from '../../domain/shared/config';
import { describeIssues } from '../../domain/shared/errors';

describe('SALESFLOW_CODEC_ORIGINS', () => {
  const origins = (value?: string) => ServerConfigSchema.safeParse(value === undefined ? {} : { SALESFLOW_CODEC_ORIGINS: value });

  test('a comma-separated list of origins; none by default', () => {
    expect(origins().data?.SALESFLOW_CODEC_ORIGINS).toEqual([]);
    expect(origins('https://temporal.example.com, http://127.0.0.1:8233,').data?.SALESFLOW_CODEC_ORIGINS).toEqual(['https://temporal.example.com', 'http://127.0.0.1:8233']);
  });

  test('anything but scheme, host and port is refused, naming the entry', () => {
    for (const bad of ['https://temporal.example.com/', 'https://temporal.example.com/ui', 'temporal.example.com', 'ftp://temporal.example.com', '*']) {
      const result = origins(`http://127.0.0.1:8233,${bad}`);
      expect(result.success).toBe(false);
      expect(describeIssues(result.error!).join('\n')).toContain(`${bad} is not an origin`);
    }
  });
});
