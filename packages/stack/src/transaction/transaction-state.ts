/**
 * The states of the four transaction state machines.
 * @see RFC 3261 §17.1.1.2 figure 5, §17.1.2.2 figure 6, §17.2.1 figure 7, §17.2.2 figure 8
 * @see RFC 6026 §7.1, §7.2 (Accepted)
 */
export type TransactionState =
  | 'Calling'
  | 'Trying'
  | 'Proceeding'
  | 'Completed'
  | 'Confirmed'
  | 'Accepted'
  | 'Terminated';

/** @see RFC 3261 §17.1.1.2, RFC 6026 §7.2 */
export type InviteClientTransactionState = 'Calling' | 'Proceeding' | 'Completed' | 'Accepted' | 'Terminated';

/** @see RFC 3261 §17.1.2.2 */
export type NonInviteClientTransactionState = 'Trying' | 'Proceeding' | 'Completed' | 'Terminated';

/** @see RFC 3261 §17.2.1, RFC 6026 §7.1 */
export type InviteServerTransactionState = 'Proceeding' | 'Completed' | 'Confirmed' | 'Accepted' | 'Terminated';

/** @see RFC 3261 §17.2.2 */
export type NonInviteServerTransactionState = 'Trying' | 'Proceeding' | 'Completed' | 'Terminated';
