import { checkLeadColumns, checkLeadRep, filterExcludedStages, leadFieldsOf, leadProspectId, parseCampaignDefinition } from '../../domain/campaign/campaign';
import { DEFAULT_PROCESS } from '../../domain/process/process';

const leads = (l: Record<string, unknown>) =>
  parseCampaignDefinition({ id: 'l', name: 'L', template: { subject: 's', text: 't' }, audience: { csv: 'a.csv' }, leads: l }).leads!;

test('name and company come from the named columns, else from name/company, else the address', () => {
  const vars = { email: 'ann@x.test', contact: ' Ann Able ', firm: 'Able Ltd', name: 'ignored', company: 'ignored too' };
  expect(leadFieldsOf(leads({ rep: 'alice', nameColumn: 'contact', companyColumn: 'firm' }), 'ann@x.test', vars)).toEqual({
    id: leadProspectId('ann@x.test'),
    name: 'Ann Able',
    company: 'Able Ltd',
  });
  expect(leadFieldsOf(leads({ rep: 'alice' }), 'ann@x.test', vars)).toMatchObject({ name: 'ignored', company: 'ignored too' });
  expect(leadFieldsOf(leads({ rep: 'alice' }), 'bo@x.test', { email: 'bo@x.test' })).toEqual({ id: leadProspectId('bo@x.test'), name: 'bo@x.test' });
});

test('a row that cannot become a prospect says why, naming the value', () => {
  expect(leadFieldsOf(leads({ rep: 'alice', idColumn: 'ref' }), 'a@x.test', { ref: 'no spaces please' })).toEqual({
    problem: 'prospect id "no spaces please": must be letters, digits, "_" or "-" (at most 100)',
  });
  // The length rule's wording is the prospect schema's.
  expect(leadFieldsOf(leads({ rep: 'alice' }), 'a@x.test', { name: 'N'.repeat(201) })).toEqual({
    problem: expect.stringMatching(/^name "N{201}": .*200 characters$/),
  });
});

test('lead settings name columns the CSV has and a rep the process has', () => {
  expect(() => checkLeadColumns(leads({ rep: 'alice', idColumn: 'ref', companyColumn: 'firm' }), ['email', 'ref'])).toThrow(
    'leads.companyColumn "firm": no such column in the CSV (columns: email, ref)',
  );
  expect(() => checkLeadColumns(leads({ rep: 'alice' }), ['email'])).not.toThrow();
  expect(() => checkLeadRep(leads({ rep: 'zed' }), DEFAULT_PROCESS)).toThrow('leads.rep "zed" is not a rep in process "default" (reps: alice, bob, carol)');
  expect(() => checkLeadRep(leads({ rep: 'bob' }), DEFAULT_PROCESS)).not.toThrow();
});

test('a filter leaves won and lost out unless it names a stage or includes closed ones', () => {
  expect(filterExcludedStages({})).toEqual(['won', 'lost']);
  expect(filterExcludedStages({ stage: 'won' })).toEqual([]);
  expect(filterExcludedStages({ includeClosed: true })).toEqual([]);
});
