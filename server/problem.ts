import { z } from 'zod';
import type { FastifyReply, FastifySchema } from 'fastify';
import type { SwaggerTransform } from '@fastify/swagger';
import { DomainError, formatPath, type FieldIssue } from '../domain/shared/errors';
import { TemporalUnavailable } from '../client/shared/temporalConnection';

/**
 * RFC 9457 problem details: every refusal of the API is one `application/problem+json`
 * body. `detail` is the same line the CLI prints; `field` names the first bad field (as a
 * path into the request body), `errors` lists every one.
 */

export const PROBLEM_BASE = 'https://salesflow.invalid/problems/';
export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    field: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string(), line: z.number().int().optional() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details (application/problem+json)' });
export type Problem = z.infer<typeof ProblemSchema>;

/** A refusal a route throws on purpose; the error handler turns it into problem JSON. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly kind: string,
    readonly title: string,
    detail: string,
    readonly issues?: readonly ProblemIssue[],
  ) {
    super(detail);
  }
}

export const notFound = (detail: string) => new HttpProblem(404, 'not-found', 'Not found', detail);
export const forbidden = (detail: string) => new HttpProblem(403, 'forbidden', 'Forbidden', detail);
export const unauthorized = (detail: string) => new HttpProblem(401, 'unauthorized', 'Not logged in', detail);

/** A bad field, and for an uploaded document (a process or campaign file) its line. */
export type ProblemIssue = FieldIssue & { line?: number };

export function problem(status: number, kind: string, title: string, detail: string, issues?: readonly ProblemIssue[]): Problem {
  const errors = issues?.map((i) => ({ field: formatPath(i.path), message: i.message, ...(i.line !== undefined ? { line: i.line } : {}) }));
  return {
    type: PROBLEM_BASE + kind,
    title,
    status,
    detail,
    ...(errors && errors.length > 0 ? { field: errors[0]!.field, errors } : {}),
  };
}

/**
 * A DomainError as the API answers it: a missing prospect, task or process is 404; every
 * other refusal by the business rules (a wrong stage included) is 422 with the CLI's message.
 */
export function domainProblem(err: DomainError): Problem {
  if (err instanceof TemporalUnavailable) return problem(503, 'unavailable', 'Service unavailable', err.message);
  if (/^no (prospect|task|published process|campaign|user|customer) /.test(err.message)) return problem(404, 'not-found', 'Not found', err.message);
  return problem(422, 'refused', 'Refused by the business rules', err.message, err.issues);
}

export function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  return reply.code(body.status).header('content-type', `${PROBLEM_MEDIA_TYPE}; charset=utf-8`).send(body);
}

/**
 * The OpenAPI document declares what the error handler sends: every response a route lists
 * as ProblemSchema is application/problem+json (the swagger plugin would call it
 * application/json), and every route that takes a body can answer 413 over its limit and
 * 415 for a body that is not JSON.
 * Rewrites a copy of the route's schema before `transform` (the zod one) turns it into JSON
 * Schema; the schema fastify serializes with is left as it is.
 */
export function declareProblems<S extends FastifySchema>(transform: SwaggerTransform<S>, bodyLimit: number): SwaggerTransform<S> {
  return (document) => {
    const schema = document.schema as { body?: unknown; response?: Record<string, unknown> } | undefined;
    if (!schema?.response) return transform(document);
    const limit = (document.route as { bodyLimit?: number }).bodyLimit ?? bodyLimit;
    const tooLarge = { description: `the request body is over ${limit} bytes`, content: { [PROBLEM_MEDIA_TYPE]: { schema: ProblemSchema } } };
    const wrongType = { description: 'the body is not JSON (Content-Type other than application/json)', content: { [PROBLEM_MEDIA_TYPE]: { schema: ProblemSchema } } };
    const withBody = schema.body !== undefined ? { ...('413' in schema.response ? {} : { 413: tooLarge }), ...('415' in schema.response ? {} : { 415: wrongType }) } : {};
    const response: Record<string, unknown> = { ...schema.response, ...withBody };
    for (const [status, declared] of Object.entries(response)) {
      if (declared === ProblemSchema) response[status] = { content: { [PROBLEM_MEDIA_TYPE]: { schema: declared } } };
    }
    return transform({ ...document, schema: { ...schema, response } as S });
  };
}
