import { createRequire } from 'node:module';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { ProcessDefinitionInput } from '../../domain/process/process';
import { inboundHandler, type InboundHandler } from '../../server/inboundMail';
import { startInboundSmtp, type InboundSmtp } from '../../server/inboundSmtp';
import { startImapPoller } from '../../server/imapPoller';
import { listInbound } from '../../db/inbound';
import { eventually } from '../helpers/eventually';
import { startServer, type ServerHarness } from '../helpers/server';

/**
 * The two production ways in for replies, besides the local stack's sink: `npm run api`'s
 * inbound SMTP endpoint (SALESFLOW_INBOUND_SMTP) and IMAP polling (IMAP_URL), against a
 * real SMTP client and a real IMAP server (hoodiecrow) on loopback.
 */

const hoodiecrow = createRequire(__filename)('hoodiecrow-imap') as typeof import('hoodiecrow-imap').default;

let h: ServerHarness;
const REPLIES = 'replies@salesflow.localhost';
const uniq = Date.now().toString(36);
let handler: InboundHandler;
beforeAll(async () => {
  h = await startServer();
  handler = inboundHandler({ db: h.database.db, sales: h.stack.client, replyAddress: REPLIES });
});
afterAll(async () => {
  await h?.close();
});

const PROCESS: ProcessDefinitionInput = {
  name: 'inbound',
  teams: [{ name: 'north', manager: { id: 'nina', email: 'nina@sales.test' }, reps: [{ id: 'ravi', name: 'Ravi Rep', email: 'ravi@sales.test' }] }],
  quotePolicy: { validity: '30d', staleAfter: '3d', escalateAfter: '7d' },
};

async function prospect(name: string): Promise<string> {
  const id = `${name}-${uniq}`;
  await h.stack.client.createProspect({ id, name: 'Ada Buyer', email: `${id}@customer.test`, rep: 'ravi' }, PROCESS);
  return id;
}

async function send(url: string, message: SendMailOptions): Promise<void> {
  const transport = nodemailer.createTransport({ url, ignoreTLS: true } as Parameters<typeof nodemailer.createTransport>[0]);
  try {
    await transport.sendMail(message);
  } finally {
    transport.close();
  }
}

const inboundNotes = async (id: string) => (await h.stack.client.getProspect(id)).contacts.filter((c) => c.direction === 'inbound').map((c) => c.note);

describe('the inbound SMTP endpoint', () => {
  let endpoint: InboundSmtp;
  let failNext = false;
  beforeAll(async () => {
    // The real handler, which a test can make fail once (the database or Temporal away).
    endpoint = await startInboundSmtp(
      { accepts: (a) => handler.accepts(a), receive: (raw, rcpt) => (failNext ? ((failNext = false), Promise.reject(new Error('database away'))) : handler.receive(raw, rcpt)) },
      { host: '127.0.0.1', port: 0 },
    );
  });
  afterAll(async () => {
    await endpoint?.close();
  });
  const url = () => `smtp://${endpoint.address}`;

  test('takes a reply to the reply address and logs it on the prospect it names', async () => {
    const id = await prospect('smtp');
    await send(url(), { from: `${id}@customer.test`, to: `replies+p.${id}@salesflow.localhost`, subject: 'Re: your offer', messageId: `<smtp-${id}@customer.test>`, text: 'Please call me on Tuesday.' });
    await eventually(async () => expect(await inboundNotes(id)).toEqual(['Please call me on Tuesday.']));
  });

  test('refuses any other recipient at RCPT (550): it relays and stores nothing for anyone else', async () => {
    const before = (await listInbound(h.database.db, {})).length;
    await expect(send(url(), { from: 'spammer@elsewhere.test', to: 'someone@victim.test', subject: 'relay me', text: 'x' })).rejects.toMatchObject({ responseCode: 550 });
    expect((await listInbound(h.database.db, {})).length).toBe(before);
  });

  test('answers 451 when the reply cannot be taken now, and takes it when delivered again', async () => {
    const id = await prospect('retry');
    const reply = { from: `${id}@customer.test`, to: `replies+p.${id}@salesflow.localhost`, subject: 'Re: offer', messageId: `<retry-${id}@customer.test>`, text: 'Yes, go ahead.' };
    failNext = true;
    await expect(send(url(), reply)).rejects.toMatchObject({ responseCode: 451 });
    expect(await inboundNotes(id)).toEqual([]);
    await send(url(), reply);
    await eventually(async () => expect(await inboundNotes(id)).toEqual(['Yes, go ahead.']));
  });
});

test('IMAP polling logs an unseen reply on its prospect, keeps an unmatched one for ops, and marks both seen', async () => {
  const id = await prospect('imap');
  const mail = (messageId: string, to: string, text: string) =>
    [`From: Ada Buyer <${id}@customer.test>`, `To: ${to}`, 'Subject: Re: your offer', `Message-ID: ${messageId}`, 'Content-Type: text/plain; charset=utf-8', '', text].join('\r\n');
  const server = hoodiecrow({
    users: { salesflow: { password: 'p@ss word' } },
    storage: {
      INBOX: {
        messages: [
          { raw: mail(`<imap-${id}@customer.test>`, `replies+p.${id}@salesflow.localhost`, 'Can you deliver in March?'), flags: [] },
          { raw: mail(`<stray-${id}@customer.test>`, 'replies@salesflow.localhost', 'Who are you?'), flags: [] },
          { raw: mail(`<old-${id}@customer.test>`, `replies+p.${id}@salesflow.localhost`, 'Read long ago.'), flags: ['\\Seen'] },
        ],
      },
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  const poller = startImapPoller(
    { db: h.database.db, sales: h.stack.client, replyAddress: REPLIES },
    // The password has characters a URL must encode.
    { url: `imap://salesflow:${encodeURIComponent('p@ss word')}@127.0.0.1:${port}/INBOX`, intervalMs: 3_600_000 },
  );
  try {
    expect(await poller.pollOnce()).toBe(2);
    expect(await inboundNotes(id)).toEqual(['Can you deliver in March?']);
    const unmatched = await listInbound(h.database.db, { status: 'unmatched' });
    expect(unmatched).toContainEqual(expect.objectContaining({ messageId: `<stray-${id}@customer.test>`, status: 'unmatched' }));
    // Both were flagged \Seen: the next pass finds nothing new.
    expect(await poller.pollOnce()).toBe(0);
  } finally {
    await poller.stop();
    server.close();
  }
});

/**
 * A loopback IMAP server speaking just enough for ImapFlow: the greeting, CAPABILITY, and `OK`
 * to any command `answer` leaves alone (it returns true for a command it answered, or chose
 * to leave unanswered).
 */
async function scriptedImapServer(answer: (command: string, tag: string, socket: Socket) => boolean): Promise<{ url: string; sessions(): number; close(): void }> {
  let sessions = 0;
  const server = createServer((socket) => {
    sessions++;
    socket.on('error', () => undefined);
    socket.write('* OK IMAP4rev1 ready\r\n');
    socket.on('data', (data) => {
      for (const line of data.toString().split('\r\n').filter(Boolean)) {
        const [tag = '', ...words] = line.split(' ');
        const command = words.join(' ').toUpperCase();
        if (command === 'CAPABILITY') socket.write(`* CAPABILITY IMAP4rev1\r\n${tag} OK done\r\n`);
        else if (!answer(command, tag, socket)) socket.write(`${tag} OK done\r\n`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `imap://salesflow:secret@127.0.0.1:${(server.address() as AddressInfo).port}/INBOX`, sessions: () => sessions, close: () => server.close() };
}

test('an IMAP connection reset while a reply is being handled fails that poll only: the server lives on and polls again', async () => {
  // A mailbox that hands over one unseen reply, then drops the connection with a reset while
  // salesflow handles it and the client has no command out (a restarted mail server, a NAT
  // forgetting the connection). ImapFlow reports that as an 'error' event, which killed the
  // process while nobody listened.
  const id = await prospect('imapreset');
  const raw = [`From: Ada Buyer <${id}@customer.test>`, `To: replies+p.${id}@salesflow.localhost`, 'Subject: Re: your offer', `Message-ID: <reset-${id}@customer.test>`, 'Content-Type: text/plain; charset=utf-8', '', 'Still there?'].join('\r\n');
  const server = await scriptedImapServer((command, tag, socket) => {
    if (command.startsWith('SELECT') || command.startsWith('EXAMINE')) socket.write(`* 1 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [UIDNEXT 2] ok\r\n${tag} OK [READ-WRITE] selected\r\n`);
    else if (command.startsWith('UID SEARCH')) socket.write(`* SEARCH 1\r\n${tag} OK done\r\n`);
    else if (command.startsWith('UID FETCH')) {
      socket.write(`* 1 FETCH (UID 1 BODY[] {${Buffer.byteLength(raw)}}\r\n${raw})\r\n${tag} OK done\r\n`);
      // A moment later: the client has the reply and no command out while salesflow
      // handles it (parsing, the database, Temporal: several milliseconds).
      setTimeout(() => socket.resetAndDestroy(), 5);
    } else return false;
    return true;
  });
  const lines: string[] = [];
  const poller = startImapPoller({ db: h.database.db, sales: h.stack.client, replyAddress: REPLIES }, { url: server.url, intervalMs: 20, log: (line) => lines.push(line) });
  try {
    await eventually(async () => expect(lines.filter((l) => l.startsWith('imap: poll failed:')).length).toBeGreaterThanOrEqual(2));
    expect(server.sessions()).toBeGreaterThanOrEqual(2);
    // The log says why: the reset, not only the command it left without a connection.
    expect(lines.find((l) => l.startsWith('imap: poll failed:'))).toMatch(/ECONNRESET/);
    // The reply itself was handled (once: a message already received is not logged again).
    expect(await inboundNotes(id)).toEqual(['Still there?']);
  } finally {
    await poller.stop();
    server.close();
  }
});

test('stopping the poller while a poll waits on a silent IMAP server closes it at once, rather than wait out its socket timeout', async () => {
  // A mailbox server that logs the client in, then answers nothing more.
  let selected = false;
  const server = await scriptedImapServer((command) => {
    if (command.startsWith('SELECT') || command.startsWith('EXAMINE')) selected = true;
    return selected;
  });
  const poller = startImapPoller({ db: h.database.db, sales: h.stack.client, replyAddress: REPLIES }, { url: server.url, intervalMs: 3_600_000 });
  try {
    await eventually(async () => expect(selected).toBe(true));
    const started = Date.now();
    await poller.stop();
    // ImapFlow's own socket timeout is minutes; a shutdown must not wait on it.
    expect(Date.now() - started).toBeLessThan(5_000);
  } finally {
    server.close();
  }
});
