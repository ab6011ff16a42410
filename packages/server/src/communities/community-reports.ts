import type { CommunityState, CommunitySwitch } from '@herald/proxy';
import type { MessageBus } from '@herald/store';
import { answerSurveys, surveyWorkers } from '../bus-survey.js';
import type { ConnectorHealth } from './connector-prober.js';

/** The bus channel on which the admin API asks every worker about the communities. */
export const COMMUNITY_REPORTS_CHANNEL = 'communities:reports';

/** How long `GET /api/communities` waits for the workers' answers. */
export const COMMUNITY_REPORTS_TIMEOUT_MS = 1000;

/** One worker's answer: whether it lets each community through now, and what its probes found. */
export interface WorkerCommunityReport {
  worker: string;
  /** Whether this worker obeys the global switch as on. */
  all: boolean;
  communities: CommunityState[];
  connectors: ConnectorHealth[];
}

export interface CommunityReportSource {
  /** This worker's name (the transport layer's `owner`). */
  worker: string;
  communities: Pick<CommunitySwitch, 'allEnabled' | 'describe'>;
  connectors: () => ConnectorHealth[];
}

/** Answers the admin API's questions on this worker's behalf until the returned function is called. */
export function answerCommunityReports(bus: MessageBus, source: CommunityReportSource, onError: (error: unknown) => void): Promise<() => Promise<void>> {
  return answerSurveys(
    bus,
    COMMUNITY_REPORTS_CHANNEL,
    (): WorkerCommunityReport => ({ worker: source.worker, all: source.communities.allEnabled, communities: source.communities.describe(), connectors: source.connectors() }),
    onError,
  );
}

/** Asks every worker of every node; resolves with the answers that came within `timeoutMs`, and how many were asked. */
export function collectCommunityReports(bus: MessageBus, timeoutMs = COMMUNITY_REPORTS_TIMEOUT_MS): Promise<{ reports: WorkerCommunityReport[]; asked: number }> {
  return surveyWorkers<WorkerCommunityReport>(
    bus,
    COMMUNITY_REPORTS_CHANNEL,
    (r) => typeof r.all === 'boolean' && Array.isArray(r.communities) && Array.isArray(r.connectors),
    timeoutMs,
  );
}
