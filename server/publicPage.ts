import type { FastifyReply } from 'fastify';
import { escapeHtml } from '../domain/campaign/template';

/**
 * The pages people outside the company open from a mail: the quotation page and the
 * unsubscribe page. One look, readable on a phone (viewport; a quotation's lines a card each
 * below 560 px, so the page never scrolls sideways), never cached, never indexed, and sending
 * no Referer: their address carries the link's token.
 */

const STYLE = `body{font-family:Helvetica,Arial,sans-serif;max-width:52em;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
table{border-collapse:collapse;width:100%;margin:1em 0}th,td{padding:.4em;border-bottom:1px solid #ddd;text-align:right}th:first-child,td:first-child{text-align:left}
.banner{padding:.8em 1em;border-radius:4px;margin:1em 0}.ok{background:#e6f4ea}.warn{background:#fdecea}.info{background:#eef3fb}
form{border:1px solid #ddd;border-radius:4px;padding:1em;margin:1em 0}label{display:block;margin:.5em 0}input[type=text],textarea{width:100%;box-sizing:border-box;padding:.4em}
button{padding:.5em 1.2em;margin-top:.5em}.muted{color:#666;font-size:.9em}.sig{font-family:cursive}code{overflow-wrap:anywhere}
@media (max-width:560px){table.lines tr.head{display:none}table.lines tr{display:block;border-bottom:1px solid #ddd;padding:.4em 0}table.lines td,table.lines th{display:flex;justify-content:space-between;gap:1em;border:0;padding:.15em 0}table.lines td:first-child{font-weight:bold}table.lines td[data-label]::before{content:attr(data-label);color:#666}table.lines tr.sum{display:flex;justify-content:space-between}}`;

export function publicPage(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-robots-tag', 'noindex')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>` +
        `<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
    );
}

