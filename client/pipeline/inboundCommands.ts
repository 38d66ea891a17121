import { Option, type Command } from 'commander';
import type { CliContext } from '../shared/cliContext';

/**
 * `salesflow inbound`: mail to salesflow's reply address, as ops read it — by default the
 * unmatched list (what no prospect claimed), or the auto-replies and the logged replies.
 */
export function registerInboundCommands(program: Command, ctx: CliContext): void {
  program
    .command('inbound')
    .description('inbound mail: the unmatched list (default), auto-replies or logged replies (ops)')
    .addOption(new Option('--status <status>', 'which mail').choices(['unmatched', 'auto_reply', 'logged', 'pending']).default('unmatched'))
    .option('--json', 'print JSON instead of text')
    .action(async (opts: { status: 'unmatched' | 'auto_reply' | 'logged' | 'pending'; json?: boolean }) => {
      const mail = await ctx.api().inbound.list(opts.status);
      if (opts.json) {
        console.log(JSON.stringify(mail, null, 2));
        return;
      }
      if (mail.length === 0) {
        console.log(`no ${opts.status.replace('_', '-')} mail`);
        return;
      }
      for (const m of mail) {
        console.log(`${ctx.time(m.receivedAt)}  ${m.from ?? '(no sender)'}  ${m.subject ?? '(no subject)'}${m.prospectId ? `  [${m.prospectId}]` : ''}`);
        if (m.detail) console.log(`  ${m.detail}`);
        if (m.text) console.log(`  ${m.text.split('\n').slice(0, 3).join(' / ')}`);
      }
    });
}
