// What the server (composition root, admin API) uses of the presence agent; the rooms
// inside (subscriptions, publications, notifier, lists, authorization, pidf) stay private.
export { PresenceAgent, type PresenceAgentOptions, type PresenceObserver, type SweepReport } from './presence-agent.js';
export { DEFAULT_PRESENCE_POLICY, type PresencePolicy, type StrangerLimits } from './authorization/presence-policy.js';
export { announceDecision } from './authorization/presence-decisions.js';
export { PRESENCE_EVENT } from './event-package.js';
export { remainingSeconds } from './notifier/notify-request.js';
