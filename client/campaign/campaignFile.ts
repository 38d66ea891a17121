import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
// The CSV is read exactly as the worker will read it (same parser, same row rules).
import { readCsvTable } from './audienceCsv';
import { CampaignDefinitionSchema, checkLeadColumns, checkLeadRep, checkTemplateAgainstAudience, leadRecipients, type CampaignDefinition } from '../../domain/campaign/campaign';
import { audienceFromTable, type CsvRowError } from '../../domain/campaign/csv';
import { DomainError } from '../../domain/shared/errors';
import { DEFAULT_PROCESS } from '../../domain/process/process';
import { loadDefinitionFile } from '../process/processFile';

/**
 * Campaign definition files (YAML). A CSV audience path is relative to the file and is
 * made absolute here, because the worker that resolves the audience reads it later.
 */

export function loadCampaignFile(file: string): CampaignDefinition {
  const definition = loadDefinitionFile(file, CampaignDefinitionSchema, 'campaign');
  if ('csv' in definition.audience && !isAbsolute(definition.audience.csv)) {
    return { ...definition, audience: { csv: resolve(dirname(file), definition.audience.csv) } };
  }
  return definition;
}

export interface CampaignValidation {
  definition: CampaignDefinition;
  /** Known for CSV audiences; prospect audiences are resolved when the run starts. */
  recipients?: number;
  columns?: string[];
  invalidRows: CsvRowError[];
}

/**
 * Everything that can be checked before a run: the definition, the CSV (every bad row with
 * its line) and that the audience provides every template variable. The CSV is read from
 * its path unless its text is given (the server checks an upload before storing it).
 */
export function validateCampaign(definition: CampaignDefinition, csvText?: string): CampaignValidation {
  if (!('csv' in definition.audience)) {
    checkTemplateAgainstAudience(definition.template, definition.audience);
    return { definition, invalidRows: [] };
  }
  let text: string;
  try {
    text = csvText ?? readFileSync(definition.audience.csv, 'utf8');
  } catch (err) {
    throw new DomainError(`cannot read audience ${definition.audience.csv}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const audience = audienceFromTable(readCsvTable(text));
  if (audience.errors.length > 0 && audience.errors[0]!.line === 1 && audience.recipients.length === 0) {
    throw new DomainError(`${definition.audience.csv}:1: ${audience.errors[0]!.message}`);
  }
  checkTemplateAgainstAudience(definition.template, definition.audience, audience.columns);
  if (definition.leads) {
    checkLeadColumns(definition.leads, audience.columns);
    // A published process is known to the worker only; the built-in one is checked here.
    if (definition.leads.process === undefined) checkLeadRep(definition.leads, DEFAULT_PROCESS);
  }
  const { recipients, errors } = leadRecipients(audience, definition.leads);
  return { definition, recipients: recipients.length, columns: audience.columns, invalidRows: errors };
}
