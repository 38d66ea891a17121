import { ApplicationFailure } from '@temporalio/activity';
import type { SalesflowDb } from '../../db/database';
import { storeDocumentOnce } from '../../db/documents';
import type { QuotationDocument } from '../../domain/pipeline/quotationDocument';
import { renderQuotationPdf } from './quotationPdf';

export interface DocumentDeps {
  /** The salesflow database, where the documents' bytes live (a worker without one cannot store them). */
  db?: SalesflowDb;
}

export function createDocumentActivities({ db }: DocumentDeps) {
  return {
    /**
     * Renders a mailed revision into its PDF and stores the bytes with their SHA-256, once:
     * a retry (or a second mail of the same revision) gets the stored document's hash back,
     * so the revision always serves the same bytes.
     */
    async storeQuotationDocument(doc: QuotationDocument): Promise<{ sha256: string; size: number }> {
      // Retryable: the quotation mail waits (it is never sent without its document) until the
      // worker is configured with the database.
      if (!db) throw ApplicationFailure.retryable('the worker has no database to store quotation documents in (DATABASE_URL)', 'DocumentStoreUnavailable');
      const bytes = await renderQuotationPdf(doc);
      const stored = await storeDocumentOnce(db, { prospectId: doc.prospectId, revision: doc.revision, number: doc.number, bytes });
      return { sha256: stored.sha256, size: stored.bytes.length };
    },
  };
}
