import type { ServerResponse } from 'node:http';
import { type FederationPolicyDescription, canonicalAor, listEntryProblem, listedEntries } from '@herald/proxy';
import { parseUri } from '@herald/sip';
import { hostPort } from '@herald/stack';
import { PRESENCE_EVENT, announceDecision, remainingSeconds } from '@herald/presence';
import type { Binding, PresenceAction, StoredMessage, Subscription, UserRecord } from '@herald/store';
import { type AliasContext, AliasRefusal, addAlias, aliasesOfAccount, everyAlias, removeAlias } from '../account-aliases.js';
import { userNameProblem } from '../account-name.js';
import { accountNameTaken, parseAccountAddress, putAccount } from '../accounts.js';
import { collectFederationReports } from '../federation/federation-reports.js';
import { type ListName, changeRuntimeList, readRuntimeLists } from '../federation/runtime-lists.js';
import type { AdminContext, AdminRequest, AdminRoute } from './admin-route.js';
import { COMMUNITY_ROUTES } from './community-routes.js';
import { aliasRefused, badAddress, badListEntry, badPath, configListEntry, invalidField, nameIsAlias, noSuchList, noSuchListEntry, noSuchUser, userExists } from './admin-error.js';
import { readJsonObject, sendEmpty, sendJson } from './admin-http.js';

/** Paths under this prefix need the bearer token. */
export const API_PREFIX = '/api/';

const MAX_PASSWORD_LENGTH = 1024;

export const ADMIN_ROUTES: readonly AdminRoute[] = [
  { pattern: /^\/healthz$/, methods: { GET: healthz } },
  { pattern: /^\/metrics$/, methods: { GET: metrics } },
  { pattern: /^\/api\/users$/, methods: { GET: listUsers, POST: createUser } },
  { pattern: /^\/api\/users\/([^/]+)$/, methods: { GET: getUser, DELETE: deleteUser } },
  { pattern: /^\/api\/users\/([^/]+)\/password$/, methods: { PUT: setPassword } },
  { pattern: /^\/api\/users\/([^/]+)\/aliases$/, methods: { GET: listAccountAliases } },
  { pattern: /^\/api\/users\/([^/]+)\/aliases\/([^/]+)$/, methods: { PUT: putAlias, DELETE: deleteAlias } },
  { pattern: /^\/api\/aliases$/, methods: { GET: listAliases } },
  { pattern: /^\/api\/bindings\/([^/]+)$/, methods: { GET: listBindings } },
  { pattern: /^\/api\/messages\/([^/]+)$/, methods: { GET: listMessages, DELETE: purgeMessages } },
  { pattern: /^\/api\/presence\/([^/]+)$/, methods: { GET: showPresence } },
  { pattern: /^\/api\/presence\/([^/]+)\/rules\/([^/]+)$/, methods: { PUT: setPresenceRule, DELETE: removeWatcher } },
  { pattern: /^\/api\/presence\/([^/]+)\/invisible$/, methods: { PUT: setInvisible } },
  { pattern: /^\/api\/lists\/([^/]+)$/, methods: { GET: getList, PUT: putList, DELETE: deleteList } },
  { pattern: /^\/api\/federation$/, methods: { GET: showFederation } },
  // The rest of the path, slashes included: a CIDR range may come unencoded (`198.51.100.0/24`).
  { pattern: /^\/api\/federation\/(allow|block)\/(.+)$/, methods: { PUT: addListEntry, DELETE: removeListEntry } },
  ...COMMUNITY_ROUTES,
];

const PRESENCE_ACTIONS: readonly PresenceAction[] = ['allow', 'block', 'polite-block', 'confirm'];

/**
 * The store answers and holds its marker. A store without one was emptied (Redis
 * restarted without its data) and the workers have not noticed yet; once they have,
 * `storeFoundEmptyAt` says when they found it so (and began to re-seed it). The store's
 * own deadline (2 s on Redis) bounds each call.
 */
async function healthz(ctx: AdminContext, _r: AdminRequest, res: ServerResponse): Promise<void> {
  let marker;
  try {
    await ctx.store.ping();
    marker = await ctx.store.marker.read();
  } catch (e) {
    sendJson(res, 503, { status: 'unavailable', store: (e as Error).message });
    return;
  }
  if (marker === undefined) {
    sendJson(res, 503, { status: 'unavailable', store: 'found empty (its marker key is gone); the workers write the users: accounts again at their next check' });
    return;
  }
  sendJson(res, 200, { status: 'ok', store: 'ok', ...(marker.foundEmptyAt !== undefined && { storeFoundEmptyAt: new Date(marker.foundEmptyAt).toISOString() }) });
}

async function metrics(ctx: AdminContext, _r: AdminRequest, res: ServerResponse): Promise<void> {
  const { contentType, body } = await ctx.metrics();
  res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(body);
}

async function listUsers(ctx: AdminContext, r: AdminRequest, res: ServerResponse): Promise<void> {
  const domain = r.query.get('domain')?.toLowerCase() || undefined;
  const users = await ctx.store.users.list(domain);
  sendJson(res, 200, { users: users.map(publicUser) });
}

async function getUser(ctx: AdminContext, r: AdminRequest, res: ServerResponse): Promise<void> {
  const { user, domain } = accountAddress(r.params[0], ctx.domains);
  const record = await ctx.store.users.get(user, domain);
  if (record === undefined) throw noSuchUser(`${user}@${domain}`);
  sendJson(res, 200, { user: publicUser(record) });
}

async function createUser(ctx: AdminContext, r: AdminRequest, res: ServerResponse): Promise<void> {
  const body = await readJsonObject(r.req);
  const user = userField(body.user);
  const domain = domainField(body.domain, ctx.domains);
  const password = passwordField(body.password);
  const address = `${user}@${domain}`;
  // DEVIATION: the store has no create-if-absent, so two concurrent creations of one
  // account may both succeed (the later password wins).
  if ((await ctx.store.users.get(user, domain)) !== undefined) throw userExists(address);
  const aliasClash = await accountNameTaken(ctx.store.users, user, domain);
  if (aliasClash !== null) throw nameIsAlias(aliasClash);
  await putAccount(ctx.store.users, user, domain, password, ctx.now());
  ctx.logger.info('admin: account created', { user: address });
  sendJson(res, 201, { user: publicUser((await ctx.store.users.get(user, domain))!) }, { Location: `/api/users/${encodeURIComponent(address)}` });
}

async function setPassword(ctx: AdminContext, r: AdminRequest, res: ServerResponse): Promise<void> {
  const { user, domain } = accountAddress(r.params[0], ctx.domains);
  const password = passwordField((await readJsonObject(r.req)).password);
  if ((await ctx.store.users.get(user, domain)) === undefined) throw noSuchUser(`${user}@${domain}`);
  await putAccount(ctx.store.users, user, domain, password, ctx.now());
  ctx.logger.info('admin: password set', { user: `${user}@${domain}` });
  sendEmpty(res, 204);
}

async function deleteUser(ctx: AdminContext, r: AdminRequest, res: ServerResponse): Promise<void> {
  const { user, domain } = accountAddress(r.params[0], ctx.domains);
  if (!(await ctx.store.users.delete(user, domain))) throw noSuchUser(`${user}@${domain}`);
  ctx.logger.info('admin: account deleted', { user: `${user}@${domain}` });
  sendEmpty(res, 204);
}

/** An account's aliases and its external form (`null` when none is marked). */
async function listAccountAliases(ctx: AdminContext, r: AdminRequest, res: ServerResponse): Promise<void> {
  const { aliases, external } = await aliasCall(() => aliasesOfAccount(aliasContext(ctx), r.params[0]));
  sendJson(res, 200, { aliases, external });
}

/**
 * Makes the alias another name of the account (201 when new, 200 when it was already).
 * `{"external": true}` marks it as the account's external form, `false` takes the mark off
 * it; without the field the mark stays as it is.
 */
async function putAlias(ctx: AdminContext, r: AdminRequest, res: ServerResponse): Promise<void> {
  const { external } = await readJsonObject(r.req, undefined, true);
  if (external !== undefined && typeof external !== 'boolean') throw invalidField('external', 'is true or false');
  const { entry, created } = await aliasCall(() => addAlias(aliasContext(ctx), r.params[1], r.params[0], external));
  if (created || external !== undefined) ctx.logger.info(created ? 'admin: alias added' : 'admin: alias changed', { ...entry });
  sendJson(res, created ? 201 : 200, entry);
}

async function deleteAlias(ctx: AdminContext, r: AdminRequest, res: ServerResponse): Promise<void> {
  const removed = await aliasCall(() => removeAlias(aliasContext(ctx), r.params[1], r.params[0]));
  ctx.logger.info('admin: alias removed', { alias: removed.alias, account: removed.account });
  sendEmpty(res, 204);
}

/** Every account's aliases; it reads every account, so it is for looking, not for polling. */
async function listAliases(ctx: AdminContext, _r: AdminRequest, res: ServerResponse): Promise<void> {
  sendJson(res, 200, { aliases: await everyAlias(ctx.store.users) });
}

function aliasContext(ctx: AdminContext): AliasContext {
  return { users: ctx.store.users, domains: ctx.domains };
}

/** Runs an alias change, its refusals answered as `herald user alias` words them. */
async function aliasCall<T>(change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } catch (e) {
    throw e instanceof AliasRefusal ? aliasRefused(e) : e;
  }
}

async function listBindings(ctx: AdminContext, r: AdminRequest, res: ServerResponse): Promise<void> {
  const aor = addressOfRecord(r.params[0]);
  const now = ctx.now();
  const { bindings } = await ctx.store.locations.get(aor, now);
  sendJson(res, 200, { aor, bindings: bindings.map((b) => publicBinding(b, now)) });
}

/** The messages stored for a user, oldest first (bodies as UTF-8 text, or base64 when they are not text). */
async function listMessages(ctx: AdminContext, r: AdminRequest, res: ServerResponse): Promise<void> {
  const aor = addressOfRecord(r.params[0]);
  const messages = await ctx.store.messages.list(aor, ctx.now());
  sendJson(res, 200, { aor, messages: messages.map(publicMessage) });
}

async function purgeMessages(ctx: AdminContext, r: AdminRequest, res: ServerResponse): Promise<void> {
  const aor = addressOfRecord(r.params[0]);
  const purged = await ctx.store.messages.purge(aor);
  ctx.logger.info('admin: stored messages purged', { aor, purged });
  sendJson(res, 200, { aor, purged });
}

/** A presentity's authorization: invisible or not, its rules, and who watches it now. */
async function showPresence(ctx: AdminContext, r: AdminRequest, res: ServerResponse): Promise<void> {
  const aor = addressOfRecord(r.params[0]);
  const now = ctx.now();
  const [rules, invisible, watchers] = await Promise.all([
    ctx.store.presenceRules.rules(aor),
    ctx.store.presenceRules.isInvisible(aor),
    ctx.store.subscriptions.byResource(aor, PRESENCE_EVENT, now),
  ]);
  sendJson(res, 200, {
    aor,
    invisible,
    rules: rules.map((rule) => ({ watcher: rule.watcher, action: rule.action, updatedAt: new Date(rule.updatedAt).toISOString() })),
    watchers: watchers.map((s) => publicWatcher(s, now)),
  });
}

/** Allow, block, polite-block or confirm a watcher (a URI, or a whole domain); active subscriptions follow at once. */
async function setPresenceRule(ctx: AdminContext, r: AdminRequest, res: ServerResponse): Promise<void> {
  const presentity = addressOfRecord(r.params[0]);
  const watcher = watcherField(r.params[1]);
  const action = (await readJsonObject(r.req)).action;
  if (typeof action !== 'string' || !(PRESENCE_ACTIONS as readonly string[]).includes(action)) throw invalidField('action', `is one of ${PRESENCE_ACTIONS.join(', ')}`);
  await ctx.store.presenceRules.setRule({ presentity, watcher, action: action as PresenceAction, updatedAt: ctx.now() });
  await announceDecision(ctx.store.bus, { presentity, change: 'rules' });
  ctx.logger.info('admin: presence rule set', { presentity, watcher, action });
  sendJson(res, 200, { presentity, watcher, action });
}

/** Forgets the rule for a watcher and ends its subscriptions (`deactivated`): it is decided anew if it subscribes again. */
async function removeWatcher(ctx: AdminContext, r: AdminRequest, res: ServerResponse): Promise<void> {
  const presentity = addressOfRecord(r.params[0]);
  const watcher = watcherField(r.params[1]);
  const removed = await ctx.store.presenceRules.removeRule(presentity, watcher);
  await announceDecision(ctx.store.bus, { presentity, change: 'removed', watcher });
  ctx.logger.info('admin: presence watcher removed', { presentity, watcher });
  sendJson(res, 200, { presentity, watcher, ruleRemoved: removed });
}

/** Invisible mode: watchers see the presentity `closed`. */
async function setInvisible(ctx: AdminContext, r: AdminRequest, res: ServerResponse): Promise<void> {
  const presentity = addressOfRecord(r.params[0]);
  const invisible = (await readJsonObject(r.req)).invisible;
  if (typeof invisible !== 'boolean') throw invalidField('invisible', 'is true or false');
  await ctx.store.presenceRules.setInvisible(presentity, invisible);
  await announceDecision(ctx.store.bus, { presentity, change: 'visibility' });
  ctx.logger.info('admin: presence visibility set', { presentity, invisible });
  sendJson(res, 200, { presentity, invisible });
}

/** A stored resource list: SUBSCRIBE to its URI (with `Supported: eventlist`) watches every member. @see RFC 4662 */
async function getList(ctx: AdminContext, r: AdminRequest, res: ServerResponse): Promise<void> {
  const uri = addressOfRecord(r.params[0]);
  const list = await ctx.store.groups.get(uri);
  if (list === undefined) throw noSuchList(uri);
  sendJson(res, 200, { list });
}

async function putList(ctx: AdminContext, r: AdminRequest, res: ServerResponse): Promise<void> {
  const uri = addressOfRecord(r.params[0]);
  if (!ctx.domains.includes(uri.slice(uri.lastIndexOf('@') + 1))) throw invalidField('uri', `"${uri}" is not in a served domain (${ctx.domains.join(', ')})`);
  const body = await readJsonObject(r.req);
  const { members, name } = body;
  if (!Array.isArray(members) || members.some((m) => typeof m !== 'string' || !/^(sips?|pres):[^@\s]+@[^@\s]+$/i.test(m))) {
    throw invalidField('members', 'is a list of URIs, e.g. ["sip:bob@example.com", "sip:carol@partner.example"]');
  }
  if (name !== undefined && name !== null && typeof name !== 'string') throw invalidField('name', 'is a display name, or null');
  const list = { uri, members: [...new Set(members as string[])], name: (name as string | undefined) ?? null };
  await ctx.store.groups.put(list);
  ctx.logger.info('admin: resource list stored', { uri, members: list.members.length });
  sendJson(res, 200, { list });
}

async function deleteList(ctx: AdminContext, r: AdminRequest, res: ServerResponse): Promise<void> {
  const uri = addressOfRecord(r.params[0]);
  if (!(await ctx.store.groups.delete(uri))) throw noSuchList(uri);
  ctx.logger.info('admin: resource list deleted', { uri });
  sendEmpty(res, 204);
}

/**
 * The federation policy in force: the default level, the allow and block lists (each entry
 * with its source, the configuration file or the admin API), the peers; then what every
 * worker of every node answers within a second: the run-time entries it applies and its
 * live TLS flows with their peers' verified identities.
 */
async function showFederation(ctx: AdminContext, _r: AdminRequest, res: ServerResponse): Promise<void> {
  const [lists, { reports, asked }] = await Promise.all([readRuntimeLists(ctx.store.settings), collectFederationReports(ctx.store.bus)]);
  const policy = ctx.federation.describe();
  sendJson(res, 200, {
    default: policy.default,
    allow: listedEntries(configEntries(policy.allow), lists.allow),
    block: listedEntries(configEntries(policy.block), lists.block),
    peers: policy.peers,
    flows: reports.flatMap((r) => r.flows),
    workers: reports.map(({ worker, allow, block }) => ({ worker, allow, block })),
    unanswered: asked - reports.length,
  });
}

/** Adds an entry to a run-time list; every worker applies it at once. One already listed (here or in the configuration) is left as it is. */
async function addListEntry(ctx: AdminContext, r: AdminRequest, res: ServerResponse): Promise<void> {
  const list = r.params[0] as ListName;
  const entry = listEntry(r.params[1]);
  if (configEntries(ctx.federation.describe()[list]).includes(entry)) {
    sendJson(res, 200, { list, entry, source: 'config' });
    return;
  }
  const added = await changeRuntimeList(ctx.store, { list, entry, change: 'add' });
  if (added) ctx.logger.info('admin: federation list entry added', { list, entry });
  sendJson(res, added ? 201 : 200, { list, entry, source: 'runtime' });
}

/** Removes an entry the admin API added; one from the configuration file is changed there. */
async function removeListEntry(ctx: AdminContext, r: AdminRequest, res: ServerResponse): Promise<void> {
  const list = r.params[0] as ListName;
  const entry = listEntry(r.params[1]);
  if (configEntries(ctx.federation.describe()[list]).includes(entry)) throw configListEntry(list, entry);
  if (!(await changeRuntimeList(ctx.store, { list, entry, change: 'remove' }))) throw noSuchListEntry(list, entry);
  ctx.logger.info('admin: federation list entry removed', { list, entry });
  sendEmpty(res, 204);
}

/** The configuration file's entries of a described list, lower case. */
function configEntries(entries: FederationPolicyDescription['allow']): string[] {
  return entries.filter((e) => e.source === 'config').map((e) => e.entry.toLowerCase());
}

/** An allow or block entry from a path segment, lower case. */
function listEntry(text: string): string {
  const problem = listEntryProblem(text);
  if (problem !== null) throw badListEntry(problem);
  return text.toLowerCase();
}

function publicWatcher(s: Subscription, now: number): Record<string, unknown> {
  return {
    watcher: s.watcher,
    status: s.data.polite === true ? 'polite-block' : s.status,
    expires: remainingSeconds(s, now),
    transport: s.flow?.transport ?? null,
  };
}

/** A watcher rule's subject: a URI (`sip:bob@example.net`, canonical) or a bare domain (`example.net`). */
function watcherField(text: string): string {
  if (text.includes('@')) return addressOfRecord(text);
  const domain = text.toLowerCase();
  if (!/^[a-z0-9.-]+$/.test(domain) || domain.startsWith('.') || domain.endsWith('.')) throw badAddress(text, 'sip:bob@example.net, or example.net for the whole domain');
  return domain;
}

function publicMessage(m: StoredMessage): Record<string, unknown> {
  const header = (name: string) => m.headers.find(([n]) => n.toLowerCase() === name)?.[1] ?? null;
  const text = m.contentType === null || /^(text\/|message\/cpim|application\/[\w.+-]*xml)/i.test(m.contentType);
  return {
    id: m.id,
    from: header('from'),
    date: header('date'),
    contentType: m.contentType,
    ...(text ? { body: m.body.toString('utf8') } : { bodyBase64: m.body.toString('base64') }),
    storedAt: new Date(m.storedAt).toISOString(),
    expiresAt: new Date(m.expiresAt).toISOString(),
    attempts: m.attempts,
  };
}

/** An account without its HA1s. */
function publicUser(u: UserRecord): Record<string, string> {
  return { user: u.user, domain: u.domain, createdAt: new Date(u.createdAt).toISOString(), updatedAt: new Date(u.updatedAt).toISOString() };
}

function publicBinding(b: Binding, now: number): Record<string, unknown> {
  return {
    contact: b.contact,
    expires: Math.max(0, Math.round((b.expiresAt - now) / 1000)),
    q: b.q,
    callId: b.callId,
    cseq: b.cseq,
    path: b.path,
    instanceId: b.instanceId,
    regId: b.regId,
    transport: b.flow.transport,
    source: hostPort(b.flow.remoteAddress, b.flow.remotePort),
    userAgent: b.userAgent,
  };
}

/** `alice@example.com` (or `sip:alice@example.com`) from a path segment. */
function accountAddress(text: string, domains: readonly string[]): { user: string; domain: string } {
  const account = parseAccountAddress(text);
  if (account === undefined) throw badAddress(text, `alice@${domains[0] ?? 'example.com'}`);
  return account;
}

/** The canonical AoR, as the registrar keys bindings, of `sip:alice@example.com` or `alice@example.com`. */
function addressOfRecord(text: string): string {
  try {
    return canonicalAor(parseUri(/^sips?:/i.test(text) ? text : `sip:${text}`));
  } catch {
    throw badAddress(text, 'sip:alice@example.com');
  }
}

function userField(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw invalidField('user', 'is required: the user part of the address, e.g. "alice"');
  const problem = userNameProblem(value);
  if (problem !== null) throw invalidField('user', problem);
  return value;
}

function domainField(value: unknown, domains: readonly string[]): string {
  if (typeof value !== 'string' || value === '') throw invalidField('domain', `is required: one of the served domains (${domains.join(', ')})`);
  const domain = value.toLowerCase();
  if (!domains.includes(domain)) throw invalidField('domain', `"${value}" is not served; use one of ${domains.join(', ')} or add it to domains in the configuration`);
  return domain;
}

function passwordField(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw invalidField('password', 'is required and may not be empty');
  if (value.length > MAX_PASSWORD_LENGTH) throw invalidField('password', `is longer than ${MAX_PASSWORD_LENGTH} characters`);
  return value;
}

/** The route for `path`, with its captures decoded; `undefined` when none matches. */
export function matchRoute(path: string): { route: AdminRoute; params: string[] } | undefined {
  for (const route of ADMIN_ROUTES) {
    const m = route.pattern.exec(path);
    if (m === null) continue;
    return { route, params: m.slice(1).map(decodeSegment) };
  }
  return undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badPath(segment);
  }
}
