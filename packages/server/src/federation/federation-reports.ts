import type { FederationPolicy } from '@herald/proxy';
import { type Flow, hostPort } from '@herald/stack';
import type { MessageBus } from '@herald/store';
import { answerSurveys, surveyWorkers } from '../bus-survey.js';

/** The bus channel on which the admin API asks every worker what it holds. */
export const FEDERATION_REPORTS_CHANNEL = 'federation:reports';

/** How long `GET /api/federation` waits for the workers' answers. */
export const FEDERATION_REPORTS_TIMEOUT_MS = 1000;

/** A live TLS flow and what its peer's certificate proved. @see RFC 5922 §7.1 */
export interface PeerFlowReport {
  worker: string;
  flowId: string;
  transport: string;
  /** `address:port` of the peer. */
  remote: string;
  /** The SIP domains the certificate speaks for; empty when the peer sent none. */
  identities: string[];
  /** The chain verified against Herald's trust. */
  authorized: boolean;
}

/** One worker's answer: the run-time entries its policy applies, and its live TLS flows. */
export interface WorkerFederationReport {
  worker: string;
  allow: string[];
  block: string[];
  flows: PeerFlowReport[];
}

export interface FederationReportSource {
  /** This worker's name (the transport layer's `owner`). */
  worker: string;
  view: Pick<FederationPolicy, 'describe'>;
  /** The live TLS flows this worker holds. */
  peerFlows: () => Flow[];
}

/** Answers the admin API's questions on this worker's behalf until the returned function is called. */
export function answerFederationReports(bus: MessageBus, source: FederationReportSource, onError: (error: unknown) => void): Promise<() => Promise<void>> {
  return answerSurveys(bus, FEDERATION_REPORTS_CHANNEL, () => reportOf(source), onError);
}

function reportOf({ worker, view, peerFlows }: FederationReportSource): WorkerFederationReport {
  const { allow, block } = view.describe();
  const runtime = (entries: typeof allow) => entries.filter((e) => e.source === 'runtime').map((e) => e.entry);
  return {
    worker,
    allow: runtime(allow),
    block: runtime(block),
    flows: peerFlows().map((flow) => ({
      worker,
      flowId: flow.id,
      transport: flow.transport,
      remote: hostPort(flow.remoteAddress, flow.remotePort),
      identities: [...(flow.peerCertificate?.identities ?? [])],
      authorized: flow.peerCertificate?.authorized ?? false,
    })),
  };
}

/** Asks every worker of every node; resolves with the answers that came within `timeoutMs`, and how many were asked. */
export function collectFederationReports(bus: MessageBus, timeoutMs = FEDERATION_REPORTS_TIMEOUT_MS): Promise<{ reports: WorkerFederationReport[]; asked: number }> {
  return surveyWorkers<WorkerFederationReport>(bus, FEDERATION_REPORTS_CHANNEL, (r) => Array.isArray(r.allow) && Array.isArray(r.block) && Array.isArray(r.flows), timeoutMs);
}
