import { ApplicationFailure } from '@temporalio/activity';
import type { SalesflowDb } from '../../db/database';
import { storeDocumentOnce } from '../../db/documents';
import type { OutboundMail } from '../../domain/pipeline/prospect';
import type { QuotationDocument } from '../../domain/pipeline/quotationDocument';
import { withAttachmentHashes } from '../../domain/pipeline/notifications';
import type { SentMail } from '../shared/mail';
import { renderQuotationPdf } from './quotationPdf';

export interface DocumentDeps {
  /** The salesflow database, where the documents' bytes live (a worker without one cannot store them). */
  db?: SalesflowDb;
  /** Delivers a mail (the mail activity's own function), for sendQuotationMail. */
  sendMail: (mail: OutboundMail) => Promise<SentMail>;
}

/** A revision's stored document, as the workflow records it. */
export interface StoredDocument {
  revision: number;
  sha256: string;
}

export interface QuotationMail {
  /** The mail, its attachments naming revisions of `documents` (or revisions stored before). */
  mail: OutboundMail;
  /** The revisions to render and store before the mail goes out. */
  documents: QuotationDocument[];
}

export function createDocumentActivities({ db, sendMail }: DocumentDeps) {
  /**
   * Renders a mailed revision into its PDF and stores the bytes with their SHA-256, once:
   * a retry (or a second mail of the same revision) gets the stored document's hash back,
   * so the revision always serves the same bytes.
   */
  async function storeQuotationDocument(doc: QuotationDocument): Promise<{ sha256: string; size: number }> {
    // Retryable: the quotation mail waits (it is never sent without its document) until the
    // worker is configured with the database.
    if (!db) throw ApplicationFailure.retryable('the worker has no database to store quotation documents in (DATABASE_URL)', 'DocumentStoreUnavailable');
    const bytes = await renderQuotationPdf(doc);
    const stored = await storeDocumentOnce(db, { prospectId: doc.prospectId, revision: doc.revision, number: doc.number, bytes });
    return { sha256: stored.sha256, size: stored.bytes.length };
  }

  return {
    storeQuotationDocument,

    /**
     * Stores each revision's document, then sends the mail with them attached, naming the
     * hashes it stored: one activity where older runs needed two, so the history holds the
     * document's content once and a workflow task less. The hashes come back with the
     * result, or, when the mail fails after they were stored, in the failure's details, so
     * the workflow records them either way. A retry stores nothing twice (storeDocumentOnce)
     * and sends under the same Message-ID.
     */
    async sendQuotationMail({ mail, documents }: QuotationMail): Promise<{ documents: StoredDocument[] }> {
      const stored: StoredDocument[] = [];
      for (const doc of documents) stored.push({ revision: doc.revision, sha256: (await storeQuotationDocument(doc)).sha256 });
      try {
        // Only the hashes go back: the result is stored in the history, and the workflow
        // needs nothing else of the delivery.
        await sendMail(withAttachmentHashes(mail, (revision) => stored.find((d) => d.revision === revision)?.sha256));
        return { documents: stored };
      } catch (err) {
        if (!(err instanceof ApplicationFailure)) throw err;
        throw ApplicationFailure.create({ message: err.message, type: err.type ?? undefined, nonRetryable: err.nonRetryable ?? undefined, details: [{ documents: stored }] });
      }
    },
  };
}
