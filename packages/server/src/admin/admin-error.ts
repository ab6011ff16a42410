import type { AliasRefusal, AliasRefusalReason } from '../account-aliases.js';

/**
 * An admin API request that cannot be served as asked: the HTTP status, a stable code
 * (`HERALD_ERR_ADMIN_<WHAT>`) and a message naming the problem, sent as
 * `{"error":{"code","message"}}`.
 */
export class AdminError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'AdminError';
  }
}

export function unauthorized(): AdminError {
  return new AdminError(401, 'HERALD_ERR_ADMIN_UNAUTHORIZED', 'send the admin token as "Authorization: Bearer TOKEN"', { 'WWW-Authenticate': 'Bearer realm="herald"' });
}

export function notFound(path: string): AdminError {
  return new AdminError(404, 'HERALD_ERR_ADMIN_NOT_FOUND', `no such endpoint: ${path}`);
}

export function badPath(text: string): AdminError {
  return new AdminError(400, 'HERALD_ERR_ADMIN_BAD_PATH', `"${text}" is not a valid request path`);
}

export function methodNotAllowed(method: string, allowed: readonly string[]): AdminError {
  return new AdminError(405, 'HERALD_ERR_ADMIN_METHOD_NOT_ALLOWED', `${method} is not allowed here; use ${allowed.join(' or ')}`, { Allow: allowed.join(', ') });
}

export function bodyTooLarge(limit: number): AdminError {
  return new AdminError(413, 'HERALD_ERR_ADMIN_BODY_TOO_LARGE', `the request body is over ${limit} bytes`);
}

export function malformedJson(detail: string): AdminError {
  return new AdminError(400, 'HERALD_ERR_ADMIN_MALFORMED_JSON', `the request body is not valid JSON: ${detail}`);
}

export function invalidField(field: string, problem: string): AdminError {
  return new AdminError(400, 'HERALD_ERR_ADMIN_INVALID_FIELD', `${field} ${problem}`);
}

export function badAddress(text: string, example: string): AdminError {
  return new AdminError(400, 'HERALD_ERR_ADMIN_BAD_ADDRESS', `"${text}" is not an address; give user@domain, e.g. ${example}`);
}

export function noSuchUser(address: string): AdminError {
  return new AdminError(404, 'HERALD_ERR_ADMIN_NO_SUCH_USER', `there is no account ${address}`);
}

export function userExists(address: string): AdminError {
  return new AdminError(409, 'HERALD_ERR_ADMIN_USER_EXISTS', `${address} exists already; set its password with PUT /api/users/${address}/password`);
}

/** An account may not take a name that is an alias already. */
export function nameIsAlias(problem: string): AdminError {
  return new AdminError(409, 'HERALD_ERR_ADMIN_NAME_IS_ALIAS', problem);
}

export function noSuchList(uri: string): AdminError {
  return new AdminError(404, 'HERALD_ERR_ADMIN_NO_SUCH_LIST', `there is no resource list ${uri}`);
}

export function badListEntry(problem: string): AdminError {
  return new AdminError(400, 'HERALD_ERR_ADMIN_BAD_LIST_ENTRY', problem);
}

export function configListEntry(list: string, entry: string): AdminError {
  return new AdminError(409, 'HERALD_ERR_ADMIN_CONFIG_ENTRY', `"${entry}" comes from federation.${list} in the configuration file; edit federation.${list} there and restart herald (the API removes only the entries it added)`);
}

export function noSuchListEntry(list: string, entry: string): AdminError {
  return new AdminError(404, 'HERALD_ERR_ADMIN_NO_SUCH_ENTRY', `"${entry}" is not in the run-time ${list} list`);
}

export function noSuchCommunity(name: string, configured: readonly string[]): AdminError {
  const names = configured.length === 0 ? 'none is configured' : `the configured ones are ${configured.join(', ')}`;
  return new AdminError(404, 'HERALD_ERR_ADMIN_NO_SUCH_COMMUNITY', `there is no community "${name}" (${names}); add it to communities.list in the configuration and restart herald`);
}

const ALIAS_REFUSALS: Readonly<Record<AliasRefusalReason, [status: number, code: string]>> = {
  'bad-address': [400, 'HERALD_ERR_ADMIN_BAD_ADDRESS'],
  'no-such-user': [404, 'HERALD_ERR_ADMIN_NO_SUCH_USER'],
  'not-served': [400, 'HERALD_ERR_ADMIN_ALIAS_NOT_SERVED'],
  'is-an-account': [409, 'HERALD_ERR_ADMIN_ALIAS_IS_ACCOUNT'],
  taken: [409, 'HERALD_ERR_ADMIN_ALIAS_TAKEN'],
  'no-such-alias': [404, 'HERALD_ERR_ADMIN_NO_SUCH_ALIAS'],
};

/** An alias change refused by the checks `herald user alias` applies too. */
export function aliasRefused(refusal: AliasRefusal): AdminError {
  const [status, code] = ALIAS_REFUSALS[refusal.reason];
  return new AdminError(status, code, refusal.message);
}
