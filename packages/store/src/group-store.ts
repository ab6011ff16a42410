/** A group URI and the AoRs it fans out to (IM group fan-out, server-side resource lists). */
export interface Group {
  /** The group's URI (`sip:team@example.com`), or a user's list (`sip:alice@example.com;list=buddies`). */
  uri: string;
  /** Member URIs, in order. */
  members: string[];
  /** Display name, when set. */
  name: string | null;
}

/** Groups and stored resource lists; durable. */
export interface GroupStore {
  get(uri: string): Promise<Group | undefined>;
  put(group: Group): Promise<void>;
  delete(uri: string): Promise<boolean>;
  /** Every group whose URI starts with `prefix` (all when omitted), sorted by URI. */
  list(prefix?: string): Promise<Group[]>;
}
