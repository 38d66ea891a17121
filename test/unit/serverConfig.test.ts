import { DatabaseConfigSchema, ServerConfigSchema, WorkerConfigSchema } from '../../domain/shared/config';
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

describe('DATABASE_QUERY_TIMEOUT', () => {
  test('two minutes unless set, the same for the worker and the server; a duration as elsewhere', () => {
    for (const schema of [DatabaseConfigSchema, WorkerConfigSchema]) {
      expect(schema.parse({}).DATABASE_QUERY_TIMEOUT).toBe(120_000);
      expect(schema.parse({ DATABASE_QUERY_TIMEOUT: '30s' }).DATABASE_QUERY_TIMEOUT).toBe(30_000);
    }
  });

  test('no timeout at all is not on offer: 0 and nonsense are refused, naming the variable', () => {
    for (const bad of ['0', 'soon']) {
      const result = DatabaseConfigSchema.safeParse({ DATABASE_QUERY_TIMEOUT: bad });
      expect(result.success).toBe(false);
      expect(describeIssues(result.error!).join('\n')).toMatch(/DATABASE_QUERY_TIMEOUT.*must be a positive duration/);
    }
  });
});
