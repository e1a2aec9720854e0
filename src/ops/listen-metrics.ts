import type { AudioHub, HubListener } from '../listen/hub.ts';
import type { BotMetrics } from './metrics.ts';

/**
 * The audio hub, counted: `meetme_listen_listeners` follows the players attached (one leaves when
 * it unsubscribes or the hub lets go of it, whichever comes first) and `meetme_listen_sensor_sessions`
 * reads the hub's session count at each scrape. A decorator, so the hub knows nothing of metrics.
 */
export function observeHub(metrics: BotMetrics, hub: AudioHub): AudioHub {
  metrics.addSessionSource(() => hub.sessionCount());
  return {
    subscribe(target, listener) {
      let attached = true;
      const detach = (): void => {
        if (!attached) return;
        attached = false;
        metrics.listenListeners.dec();
      };
      const counted: HubListener = {
        audio: (pcm) => listener.audio(pcm),
        status: (state, message) => listener.status(state, message),
        backlog: () => listener.backlog(),
        close: (reason) => {
          detach();
          listener.close(reason);
        },
      };
      metrics.listenListeners.inc();
      let unsubscribe: () => void;
      try {
        unsubscribe = hub.subscribe(target, counted);
      } catch (err) {
        detach();
        throw err;
      }
      return () => {
        detach();
        unsubscribe();
      };
    },
    sessionCount: () => hub.sessionCount(),
    close: () => hub.close(),
  };
}
