/*
 * AudioWorklet that plays 8 kHz mono float chunks posted from the page. It resamples linearly to the
 * context rate, keeping its position across chunks so joins are seamless; holds a jitter buffer of
 * about 150 ms before (re)starting; and fades the gain over 5 ms around underruns and catch-up skips
 * so neither clicks. Every 50 ms it reports the output level and how much audio is buffered.
 */
const SOURCE_RATE = 8000;

class PcmPlayer extends AudioWorkletProcessor {
  constructor() {
    super();
    this.ring = new Float32Array(sampleRate * 4);
    this.readAt = 0;
    this.writeAt = 0;
    this.count = 0;
    this.step = SOURCE_RATE / sampleRate;
    this.carry = 0;
    this.previous = 0;
    this.startWhen = Math.round(sampleRate * 0.15);
    this.catchUpWhen = Math.round(sampleRate * 0.5);
    this.buffering = true;
    this.skip = 0;
    this.gain = 0;
    this.gainStep = 1 / (sampleRate * 0.005);
    this.held = 0;
    this.sumSquares = 0;
    this.measured = 0;
    this.reportEvery = Math.round(sampleRate * 0.05);
    this.port.onmessage = (event) => {
      if (event.data instanceof Float32Array) this.push(event.data);
      else if (event.data && event.data.reset) this.reset();
    };
  }

  reset() {
    this.readAt = this.writeAt = this.count = 0;
    this.carry = 0;
    this.buffering = true;
    this.skip = 0;
  }

  enqueue(sample) {
    if (this.count === this.ring.length) return;
    this.ring[this.writeAt] = sample;
    this.writeAt = (this.writeAt + 1) % this.ring.length;
    this.count++;
  }

  /** Position -1 is the last sample of the previous chunk, so interpolation spans the join. */
  push(chunk) {
    const at = (i) => (i < 0 ? this.previous : chunk[i]);
    let position = this.carry;
    while (position < chunk.length - 1) {
      const i = Math.floor(position);
      const fraction = position - i;
      this.enqueue(at(i) + (at(i + 1) - at(i)) * fraction);
      position += this.step;
    }
    this.carry = position - chunk.length;
    this.previous = chunk[chunk.length - 1];
    if (this.count > this.catchUpWhen && this.skip === 0) this.skip = this.count - this.startWhen;
  }

  process(_inputs, outputs) {
    const out = outputs[0][0];
    for (let n = 0; n < out.length; n++) {
      if (this.buffering && this.count >= this.startWhen) this.buffering = false;
      const wanted = this.buffering || this.skip > 0 ? 0 : 1;
      if (this.gain < wanted) this.gain = Math.min(wanted, this.gain + this.gainStep);
      else if (this.gain > wanted) this.gain = Math.max(wanted, this.gain - this.gainStep);
      if (this.gain === 0 && this.skip > 0) {
        const drop = Math.min(this.skip, this.count);
        this.readAt = (this.readAt + drop) % this.ring.length;
        this.count -= drop;
        this.skip = 0;
      }
      if (!this.buffering && this.count > 0 && (this.skip === 0 || this.gain > 0)) {
        this.held = this.ring[this.readAt];
        this.readAt = (this.readAt + 1) % this.ring.length;
        this.count--;
      } else if (!this.buffering && this.count === 0) {
        this.buffering = true;
      }
      const sample = this.held * this.gain;
      out[n] = sample;
      this.sumSquares += sample * sample;
      this.measured++;
    }
    if (this.measured >= this.reportEvery) {
      this.port.postMessage({ level: Math.sqrt(this.sumSquares / this.measured), bufferedMs: (this.count / sampleRate) * 1000 });
      this.sumSquares = 0;
      this.measured = 0;
    }
    return true;
  }
}

registerProcessor('pcm-player', PcmPlayer);
