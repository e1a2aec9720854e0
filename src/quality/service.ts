import type { ParticipantLineSummary, QualityService } from '../core/services.ts';
import { participantLabel } from '../core/views.ts';
import type { LineQualityMonitor } from './monitor.ts';

/** The `quality` command's view of the monitor: fresh figures per participant, as plain data. */
export function createQualityService(monitor: Pick<LineQualityMonitor, 'lookup'>): QualityService {
  return {
    async roomLines(pbx, room) {
      const lines = await monitor.lookup(pbx, room);
      return lines.map(({ participant, state }): ParticipantLineSummary => ({
        uniqueid: participant.uniqueid,
        label: participantLabel(participant),
        line: state === undefined ? undefined : {
          mark: state.mark.mark,
          mosFromCaller: state.line.mosFromCaller,
          mosToCaller: state.line.mosToCaller,
          loss10s: state.line.loss10s,
          lossTotal: state.line.lossTotal,
          jitterMs: state.line.jitterMs,
          codec: state.line.codec,
          sensor: state.sensor,
        },
      }));
    },
  };
}
