import { searchWords } from '../../db/reporting';

/** The search's words as ILIKE patterns: each matched anywhere, wildcards taken as text. */
test('each word is a lower-cased contains-pattern; LIKE wildcards and backslashes are escaped; at most five words', () => {
  expect(searchWords('  Ann   ACME ')).toEqual(['%ann%', '%acme%']);
  expect(searchWords('50% off_road a\\b')).toEqual(['%50\\%%', '%off\\_road%', '%a\\\\b%']);
  expect(searchWords('a b c d e f g')).toEqual(['%a%', '%b%', '%c%', '%d%', '%e%']);
  expect(searchWords('   ')).toEqual([]);
});
