import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AudiencePathError, resolveAudiencePath } from '../../client/campaign/audienceCsv';

const root = mkdtempSync(join(tmpdir(), 'salesflow-campaign-dir-'));
const allowed = join(root, 'campaigns');
mkdirSync(join(allowed, 'spring'), { recursive: true });
writeFileSync(join(allowed, 'spring', 'a.csv'), 'email\n');
writeFileSync(join(root, 'secret.csv'), 'email\n');
symlinkSync(join(root, 'secret.csv'), join(allowed, 'link.csv'));

test('a CSV inside the campaign folder (relative or absolute) is read', () => {
  expect(resolveAudiencePath('spring/a.csv', allowed)).toBe(join(allowed, 'spring', 'a.csv'));
  expect(resolveAudiencePath(join(allowed, 'spring', 'a.csv'), allowed)).toBe(join(allowed, 'spring', 'a.csv'));
  // Not there yet: allowed, and reading it reports the missing file.
  expect(resolveAudiencePath('later.csv', allowed)).toBe(join(allowed, 'later.csv'));
});

test.each([
  ['a ../ escape', '../secret.csv'],
  ['a deeper ../ escape', 'spring/../../secret.csv'],
  ['an absolute path outside', '/etc/passwd'],
  ['a symbolic link pointing outside', 'link.csv'],
  ['the folder itself', '.'],
])('%s is refused with a message naming the folder and its setting', (_, file) => {
  expect(() => resolveAudiencePath(file, allowed)).toThrow(AudiencePathError);
  expect(() => resolveAudiencePath(file, allowed)).toThrow(`audience csv ${file} is outside the campaign folder ${allowed} (SALESFLOW_CAMPAIGN_DIR)`);
});
