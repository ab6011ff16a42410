/** Characters a user part may not hold: they would break the digest `username` or the AoR. */
export const INVALID_USER_CHARS = /[\s\p{Cc}@:"<>\\]/u;
export const MAX_USER_LENGTH = 128;

/** Why `user` cannot name an account, or `null` when it can. */
export function userNameProblem(user: string): string | null {
  if (user === '') return 'is empty';
  if (user.length > MAX_USER_LENGTH) return `is longer than ${MAX_USER_LENGTH} characters`;
  if (INVALID_USER_CHARS.test(user)) return 'may not contain white space, control characters or any of @ : " < > \\';
  return null;
}
