/**
 * Makes a deflate dictionary for the payload codec (client/shared/payloadCompression.ts) and
 * prints it as base64. Run once per dictionary version:
 *
 *   npx tsc -p tsconfig.build.json && node dist/scripts/compressionDictionary.js > /tmp/d.b64
 *
 * and paste the output into a NEW constant of client/shared/compressionDictionary.ts under a
 * new version: a dictionary that compressed a payload in a history is needed, byte for byte,
 * to read that history for as long as Temporal keeps it, so a published one never changes.
 *
 * What it holds: the payloads a won prospect puts in its history (start input, quotation
 * document, quotation mail, closed deal), made by the domain code from a made-up prospect on
 * a made-up process. So the dictionary knows salesflow's keys and the built-in mail
 * templates' HTML, not the built-in example process or any customer's data.
 */
import { temporal } from '@temporalio/proto';
import { dealClosedReport } from '../domain/customer/customer';
import { newProspect, runCommand, type CommandName } from '../domain/pipeline/lifecycle';
import { quotationDocument } from '../domain/pipeline/quotationDocument';
import type { ProcessDefinitionInput } from '../domain/process/process';

const process_: ProcessDefinitionInput = {
  name: 'process',
  version: 2,
  description: 'Process.',
  teams: [
    {
      name: 'team',
      manager: { id: 'manager', name: 'Manager Name', email: 'manager@company.com' },
      reps: [
        { id: 'rep', name: 'Rep Name', email: 'rep@company.com' },
        { id: 'rep2', name: 'Other Rep', email: 'rep2@company.com' },
      ],
    },
  ],
  quotePolicy: { validity: '14d', staleAfter: '2d', escalateAfter: '5d', currency: 'USD', followUpDueIn: '2d' },
  seller: {
    legalName: 'Company Inc.',
    address: 'Street 2\nCity\nCountry',
    taxId: 'US000',
    email: 'office@company.com',
    locale: 'en-US',
    tax: { name: 'Sales tax', rate: '7' },
    paymentTerms: 'Payment within 14 days.',
    deliveryTerms: 'Delivery within 2 weeks.',
    mailSignature: 'Company Inc. · Street 2 · City',
  },
};

const at = '2030-01-01T10:00:00.000Z';
let state = newProspect({ id: 'p-1', name: 'Customer Name', company: 'Customer Co', email: 'customer@customer.example', rep: 'rep', source: 'web' }, process_, at);
const commands: [CommandName, unknown][] = [
  ['logContact', { channel: 'call', direction: 'inbound', note: 'called', by: 'rep' }],
  ['qualify', { answers: { budget: 1000 }, outcome: 'qualified', by: 'rep' }],
  ['createInquiry', { items: [{ product: 'ITEM', quantity: 1 }], by: 'rep' }],
  ['createQuote', { lines: [{ product: 'ITEM', quantity: 3, unitPrice: '10.00' }], by: 'rep' }],
  ['sendQuote', { by: 'rep' }],
];
for (const [name, command] of commands) state = runCommand(name, state, command, at);
const mail = state.outbox.find((m) => m.attachments?.length);
const document = quotationDocument(state, 1);
state = runCommand('acceptQuote', state, { by: 'rep' }, at);
const deal = dealClosedReport(state);

/** As the codec sees a payload: the protobuf of the JSON payload, metadata included. */
const payload = (value: unknown) =>
  Buffer.from(temporal.api.common.v1.Payload.encode({ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(value)) }).finish());

// Deflate finds the nearest match first: what is most common goes last.
process.stdout.write(Buffer.concat([payload({ deal, process: state.process }), payload(document), payload({ info: state.info, process: state.process }), payload(mail)]).toString('base64') + '\n');
