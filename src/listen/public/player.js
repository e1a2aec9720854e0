/*
 * The live-call player. Connects to this page's WebSocket when Play is pressed, turns the 8 kHz s16le
 * mono frames into floats for the AudioWorklet in worklet.js, and shows state in the DOM:
 * #player[data-state] is one of paused, connecting, playing, waiting, no_output, reconnecting, ended,
 * expired, invalid, unreachable, error, failed, slow; #player[data-frames] counts audio frames; #level
 * is the audio level; #buffer (and data-buffered) the audio queued ahead of the speaker;
 * #player[data-output-check] is present while the output's grace period (below) runs.
 * A stream that drops for any reason but a final close code is reconnected with capped backoff;
 * the server checks the link again on every reconnect.
 *
 * "Playing live" is shown only while the AudioContext actually runs. If it has not reached `running`
 * OUTPUT_GRACE_MS after Play (no output device, autoplay blocked) or drops out of it later, the page
 * says no_output instead, keeps the stream connected, and goes back to playing on its own when the
 * context starts running (statechange); pressing Play in that state asks the context to resume again.
 */
/* global AudioWorkletNode */
'use strict';

(function player() {
  const root = document.getElementById('player');
  const button = document.getElementById('play');
  const meter = document.getElementById('level');
  const statusLine = document.getElementById('status');
  const durationLine = document.getElementById('duration');
  const bufferLine = document.getElementById('buffer');

  const LABELS = {
    paused: 'Paused. Press Play to listen.',
    connecting: 'Connecting…',
    playing: 'Playing live',
    waiting: 'Waiting for audio…',
    no_output: 'No audio output: the browser could not start sound (check your output device or allow audio for this site)',
    ended: 'Call ended',
    expired: 'This listen link has expired. Ask for a new one with /meetme listen.',
    invalid: 'This link is not valid.',
    unreachable: 'Sensor unreachable. Retrying…',
    reconnecting: 'Connection lost. Reconnecting…',
    error: 'The sensor reported an error.',
    failed: 'The sensor cannot play this call.',
    slow: 'Your connection was too slow and was dropped. Reload to try again.',
  };
  const FROM_SERVER = {
    connecting: 'connecting', playing: 'playing', waiting: 'waiting', ended: 'ended',
    sensor_unreachable: 'unreachable', sensor_error: 'error', expired: 'expired', invalid: 'invalid',
  };
  const FINAL = new Set(['ended', 'expired', 'invalid', 'slow', 'failed']);
  /** Close codes that end the stream for good (server.ts WS_CLOSE); any other close is retried. */
  const CLOSE_STATES = { 4410: 'expired', 4403: 'invalid', 4008: 'slow', 1000: 'ended', 4500: 'failed' };
  const RETRY_FIRST_MS = 1000;
  const RETRY_MAX_MS = 30000;
  /** Where audio is flowing or expected, the meter and buffer readout mean something. */
  const LIVE = new Set(['playing', 'waiting']);
  /** States that also keep the meter: with no output the meter still shows the call's incoming level. */
  const METERED = new Set(['playing', 'waiting', 'no_output']);
  /** How long after Play the AudioContext may take to reach `running` before the page says no_output. */
  const OUTPUT_GRACE_MS = 1500;

  let context = null;
  let output = null;
  let socket = null;
  let paused = true;
  let streamState = 'connecting';
  let frames = 0;
  let retryTimer = null;
  let retries = 0;
  /** True once the AudioContext failed to run (see OUTPUT_GRACE_MS) until it runs again. */
  let noOutput = false;
  let outputTimer = null;
  /** The server's last status text, shown when it then closes the stream as failed. */
  let serverMessage;
  const loadedAt = Date.now();
  const initialDuration = Number(root.dataset.duration) || 0;

  function show(state, message) {
    // The server says audio flows, but nothing can be heard: say so rather than "Playing live".
    if (noOutput && !paused && LIVE.has(state)) {
      state = 'no_output';
      message = undefined;
    }
    root.dataset.state = state;
    statusLine.textContent = message || LABELS[state] || state;
    const final = FINAL.has(state);
    // With no output nothing plays, so the button offers Play again (it retries starting the sound).
    const idle = paused || final || state === 'no_output';
    button.disabled = final;
    button.textContent = idle ? 'Play' : 'Pause';
    button.setAttribute('aria-pressed', String(!idle));
    if (paused || final || !METERED.has(state)) showLevel(0);
    if (paused || final || !LIVE.has(state)) showBuffer(undefined);
  }

  /** Shows the current stream state again after the output changed (only over a live or no_output state). */
  function refresh() {
    const shown = root.dataset.state;
    if (paused || !(LIVE.has(shown) || shown === 'no_output')) return;
    show(streamState, serverMessage);
  }

  function outputRunning() {
    return context !== null && context.state === 'running';
  }

  /** After Play: if the context is not running within the grace period, report no_output. */
  function watchOutput() {
    stopOutputCheck();
    if (outputRunning()) return;
    root.dataset.outputCheck = 'pending';
    outputTimer = window.setTimeout(() => {
      stopOutputCheck();
      if (paused || outputRunning()) return;
      noOutput = true;
      refresh();
    }, OUTPUT_GRACE_MS);
  }

  function stopOutputCheck() {
    clearTimeout(outputTimer);
    outputTimer = null;
    delete root.dataset.outputCheck;
  }

  function onOutputStateChange() {
    if (outputRunning()) {
      stopOutputCheck();
      if (!noOutput) return;
      noOutput = false;
      // Drop whatever was queued while the context stood still, so playback starts at the live edge.
      if (output) output.reset();
      refresh();
      return;
    }
    // Our own suspend() on Pause is not an output failure; anything else while playing is.
    if (paused || noOutput || outputTimer !== null) return;
    noOutput = true;
    refresh();
  }

  /** Root mean square of a chunk of samples. */
  function levelOf(floats) {
    let sum = 0;
    for (let i = 0; i < floats.length; i++) sum += floats[i] * floats[i];
    return floats.length ? Math.sqrt(sum / floats.length) : 0;
  }

  function tickDuration() {
    if (FINAL.has(root.dataset.state) && root.dataset.state !== 'slow') return;
    const seconds = initialDuration + Math.floor((Date.now() - loadedAt) / 1000);
    const mm = String(Math.floor(seconds / 60)).padStart(2, '0');
    const ss = String(seconds % 60).padStart(2, '0');
    durationLine.textContent = mm + ':' + ss;
  }

  function toFloats(buffer) {
    const samples = new Int16Array(buffer, 0, buffer.byteLength >> 1);
    const floats = new Float32Array(samples.length);
    for (let i = 0; i < samples.length; i++) floats[i] = samples[i] / 32768;
    return floats;
  }

  function onMessage(event) {
    if (typeof event.data === 'string') {
      let message;
      try { message = JSON.parse(event.data); } catch { return; }
      if (message.type !== 'status') return;
      streamState = FROM_SERVER[message.state] || 'error';
      serverMessage = message.message;
      if (!paused || FINAL.has(streamState)) show(streamState, message.message);
      return;
    }
    frames++;
    root.dataset.frames = String(frames);
    if (paused) return;
    const floats = toFloats(event.data);
    if (output && outputRunning()) {
      // The output reports the level of what it plays (worklet.js, or bufferOutput below).
      output.push(floats);
    } else if (root.dataset.state === 'no_output') {
      // Nothing plays, so the meter shows the level of the received PCM instead: the call is live.
      showLevel(levelOf(floats));
    }
  }

  function connect() {
    clearTimeout(retryTimer);
    retryTimer = null;
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(scheme + '//' + location.host + location.pathname.replace(/\/$/, '') + '/ws');
    socket = ws;
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (event) => {
      // Anything from the server means it accepted the link again: the next drop starts a fresh backoff.
      retries = 0;
      onMessage(event);
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = null;
      if (FINAL.has(root.dataset.state)) return;
      const final = CLOSE_STATES[event.code];
      if (final) {
        streamState = final;
        show(final, final === 'failed' ? serverMessage : undefined);
        return;
      }
      // Paused: nothing to retry for now; Play connects again.
      if (!paused) scheduleRetry(event.code === 1001 ? 'Bot restarting.' : 'Connection lost.');
    };
  }

  /** Abnormal close (1006, bot restart, proxy drop): try again after 1, 2, 4 … 30 s, jittered. */
  function scheduleRetry(cause) {
    const delay = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** retries) * (0.8 + 0.4 * Math.random());
    retries++;
    streamState = 'connecting';
    show('reconnecting', cause + ' Reconnecting in ' + Math.ceil(delay / 1000) + ' s…');
    retryTimer = window.setTimeout(() => {
      retryTimer = null;
      if (paused || socket) return;
      show('connecting');
      connect();
    }, delay);
  }

  function showLevel(level) {
    // The output may still report the audio it had queued after the stream dropped: the meter rests
    // in every state that is not live.
    const shown = paused || !METERED.has(root.dataset.state) ? 0 : Math.min(1, level * 3);
    meter.value = shown;
    root.dataset.level = shown.toFixed(3);
  }

  /** Buffer health: how much audio is queued ahead of the speaker (empty when nothing plays). */
  function showBuffer(ms) {
    if (ms === undefined || paused || !LIVE.has(root.dataset.state)) {
      bufferLine.textContent = '';
      delete root.dataset.buffered;
      return;
    }
    const rounded = Math.max(0, Math.round(ms));
    root.dataset.buffered = String(rounded);
    bufferLine.textContent = '· buffer ' + rounded + ' ms' + (rounded < 40 ? ' (low)' : '');
  }

  /** AudioWorklet output (worklet.js): jitter buffer and click-free joins inside the audio thread. */
  async function workletOutput() {
    await context.audioWorklet.addModule('/listen-assets/worklet.js');
    const node = new AudioWorkletNode(context, 'pcm-player', { numberOfInputs: 0, outputChannelCount: [1] });
    node.port.onmessage = (event) => {
      showLevel(event.data.level);
      showBuffer(event.data.bufferedMs);
    };
    node.connect(context.destination);
    return {
      push: (floats) => node.port.postMessage(floats, [floats.buffer]),
      reset: () => node.port.postMessage({ reset: true }),
    };
  }

  /**
   * Fallback where AudioWorklet is missing (plain http on a non-local host): buffers scheduled back
   * to back on the context clock, 150 ms behind, so joins are sample-exact.
   */
  function bufferOutput() {
    const LEAD = 0.15;
    let nextAt = 0;
    return {
      push(floats) {
        const buffer = context.createBuffer(1, floats.length, 8000);
        buffer.copyToChannel(floats, 0);
        const source = context.createBufferSource();
        source.buffer = buffer;
        source.connect(context.destination);
        if (nextAt < context.currentTime) nextAt = context.currentTime + LEAD;
        source.start(nextAt);
        nextAt += buffer.duration;
        showLevel(levelOf(floats));
        showBuffer((nextAt - context.currentTime) * 1000);
      },
      reset() { nextAt = 0; },
    };
  }

  /** Creates the context synchronously (inside the click's user gesture), then its output. */
  async function startAudio() {
    try {
      context = new AudioContext({ sampleRate: 8000 });
    } catch {
      context = new AudioContext();
    }
    context.addEventListener('statechange', onOutputStateChange);
    watchOutput();
    output = context.audioWorklet ? await workletOutput() : bufferOutput();
  }

  /**
   * Asks a stopped context to run again. Not awaited: without an output device resume() may never
   * settle, and the stream must not wait for it; statechange reports when it does run.
   */
  function resumeOutput() {
    if (output) output.reset();
    watchOutput();
    context.resume().catch(() => {});
  }

  async function play() {
    paused = false;
    show(streamState === 'connecting' || !socket ? 'connecting' : streamState);
    if (!context) await startAudio();
    else resumeOutput();
    if (!socket) connect();
  }

  async function pause() {
    paused = true;
    // Pausing also stops a pending reconnect: the button must not say Play while the page keeps dialling.
    clearTimeout(retryTimer);
    retryTimer = null;
    stopOutputCheck();
    noOutput = false;
    show('paused');
    if (context) await context.suspend();
  }

  /** Play pressed while the stream is live but the output is not: try to start the sound again. */
  async function retryOutput() {
    resumeOutput();
  }

  button.addEventListener('click', () => {
    let action;
    if (paused) action = play();
    else if (root.dataset.state === 'no_output') action = retryOutput();
    else action = pause();
    action.catch((err) => show('error', 'Cannot play audio in this browser: ' + err.message));
  });

  // At page load nothing retries yet: an unreachable sensor is tried again when Play is pressed.
  show(root.dataset.state, root.dataset.state === 'unreachable' ? 'Sensor unreachable. Press Play to try again.' : undefined);
  tickDuration();
  window.setInterval(tickDuration, 1000);
})();
