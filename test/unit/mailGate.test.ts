import nodemailer from 'nodemailer';
import { GateTimeout, MailGate } from '../../activities/shared/mailGate';

/**
 * The gate in front of a pooled SMTP transport (activities/shared/mailGate.ts): a mail is
 * handed over only when a connection is free, or not at all within its bounds; what it holds
 * and what it gave up on is what the worker's metrics show.
 */

const forever = { deadline: Number.POSITIVE_INFINITY };

test('a mail waits for a free connection, and one that finds none in time is given up without being sent', async () => {
  const gate = new MailGate(1);
  let finishFirst!: () => void;
  const first = gate.send(() => new Promise<string>((resolve) => (finishFirst = () => resolve('first'))), forever);
  expect({ busy: gate.busy, queued: gate.queued }).toEqual({ busy: 1, queued: 0 });

  let secondSent = false;
  const second = gate.send(async () => (secondSent = true), { deadline: Date.now() + 30 });
  expect({ busy: gate.busy, queued: gate.queued }).toEqual({ busy: 1, queued: 1 });
  await expect(second).rejects.toBeInstanceOf(GateTimeout);
  expect({ secondSent, queued: gate.queued, givenUp: gate.givenUp }).toEqual({ secondSent: false, queued: 0, givenUp: 1 });

  // Cancelled while waiting: given up too.
  const cancel = new AbortController();
  const third = gate.send(async () => 'third', { deadline: Number.POSITIVE_INFINITY, signal: cancel.signal });
  cancel.abort();
  await expect(third).rejects.toBeInstanceOf(GateTimeout);

  // A mail waiting when the connection frees takes it at once.
  const fourth = gate.send(async () => 'fourth', forever);
  expect(gate.queued).toBe(1);
  finishFirst();
  expect([await first, await fourth]).toEqual(['first', 'fourth']);
  expect({ busy: gate.busy, queued: gate.queued, givenUp: gate.givenUp }).toEqual({ busy: 0, queued: 0, givenUp: 2 });
});

test('one gate per transport, sized by its pool; a transport that does not queue needs none', () => {
  const pooled = nodemailer.createTransport({ host: '127.0.0.1', port: 1, pool: true, maxConnections: 3 });
  const single = nodemailer.createTransport({ jsonTransport: true });
  try {
    expect(MailGate.of(pooled)).toBe(MailGate.of(pooled));
    expect(MailGate.of(pooled).size).toBe(3);
    expect(MailGate.of(single).size).toBe(Number.POSITIVE_INFINITY);
    expect(MailGate.of(single).busy).toBe(0);
  } finally {
    pooled.close();
  }
});
