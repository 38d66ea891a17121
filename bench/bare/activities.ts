import type { Transporter } from 'nodemailer';

/** The bare workflow's one side effect: a mail over the same pooled SMTP transport the worker uses. */
export function createBareActivities(mailer: Transporter, from: string) {
  return {
    async sendBareMail(mail: { to: string; messageId: string; subject: string }): Promise<void> {
      await mailer.sendMail({ from, to: mail.to, subject: mail.subject, text: 'Please find our quotation attached.\n', messageId: mail.messageId });
    },
  };
}

export type BareActivities = ReturnType<typeof createBareActivities>;
