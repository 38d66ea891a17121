import { LoginSchema, NewUserSchema, PasswordSchema, RoleSchema } from '../../domain/accounts/accounts';
import { describeIssues } from '../../domain/shared/errors';

function problems(result: { success: boolean; error?: unknown }): string[] {
  return result.success ? [] : describeIssues(result.error as Parameters<typeof describeIssues>[0]);
}

test('logins are kept in lower case and trimmed, and refuse characters outside the rule', () => {
  expect(LoginSchema.parse('  Alice.Adams@North ')).toBe('alice.adams@north');
  expect(problems(LoginSchema.safeParse('al'))).toEqual(['must be at least 3 characters']);
  expect(problems(LoginSchema.safeParse('al ice'))).toEqual(['may hold only letters, digits and . _ @ - and must start with a letter or digit']);
  expect(problems(LoginSchema.safeParse('-alice'))).toHaveLength(1);
});

test('passwords need 12 characters, any characters', () => {
  expect(PasswordSchema.safeParse('eleven chars').success).toBe(true);
  expect(problems(PasswordSchema.safeParse('elevenchars'))).toEqual(['must be at least 12 characters']);
});

test('a new user names every bad field with its rule, and refuses unknown fields', () => {
  expect(RoleSchema.options).toEqual(['admin', 'ops', 'manager', 'rep', 'support']);
  const result = NewUserSchema.safeParse({ login: 'x', role: 'boss', password: 'short', personId: 'a b', extra: 1 });
  expect(problems(result)).toEqual([
    'login: must be at least 3 characters',
    'role: must be one of admin, ops, manager, rep, support',
    'personId: may hold only letters, digits and . _ @ -',
    'password: must be at least 12 characters',
    'unknown key extra',
  ]);
});
