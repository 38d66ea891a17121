import { suppressionSourceText } from '../../domain/campaign/labels';

/** The suppression list names a campaign as every other screen does, not by its workflow id. */
test("a suppression's source reads as the campaign, or as who added it", () => {
  expect(suppressionSourceText('campaign-spring-offer')).toBe('campaign spring-offer');
  expect(suppressionSourceText('api:iris')).toBe('added by iris');
  expect(suppressionSourceText('import')).toBe('import');
});
