/** The clock moved to the shared kernel; re-exported so existing imports keep working. */
export { systemClock, type Clock, type TimerHandle } from '../kernel/clock.ts';
