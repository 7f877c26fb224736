interface Input {
  readonly track: MediaStreamTrack
  readonly node: MediaStreamAudioSourceNode
  readonly gain: GainNode
}

/**
 * Mixes every participant's audio and the local microphone into one track for the recorder (WebAudio). Inputs
 * come and go as people join and leave; the output track stays the same, so the recording never restarts.
 *
 * Chromium quirk: a remote WebRTC audio track feeds WebAudio only while something plays it, so the meeting view
 * must keep its `<audio>` elements attached (it does, to be heard).
 */
export class AudioMixer {
  readonly context: AudioContext
  private readonly destination: MediaStreamAudioDestinationNode
  private readonly inputs = new Map<string, Input>()
  private readonly ownsContext: boolean

  constructor(context?: AudioContext) {
    this.ownsContext = context === undefined
    this.context = context ?? new AudioContext({ latencyHint: 'playback' })
    this.destination = this.context.createMediaStreamDestination()
  }

  /** The mixed audio: one track whatever the number of inputs. */
  get stream(): MediaStream {
    return this.destination.stream
  }

  get size(): number {
    return this.inputs.size
  }

  /** Add or replace the input called `id` (a participant id, or `local-mic`). */
  add(id: string, track: MediaStreamTrack, gain = 1): void {
    if (track.kind !== 'audio') throw new TypeError('AudioMixer takes audio tracks only')
    const existing = this.inputs.get(id)
    if (existing?.track === track) return
    if (existing) this.remove(id)
    const node = this.context.createMediaStreamSource(new MediaStream([track]))
    const gainNode = this.context.createGain()
    gainNode.gain.value = gain
    node.connect(gainNode).connect(this.destination)
    this.inputs.set(id, { track, node, gain: gainNode })
  }

  remove(id: string): void {
    const input = this.inputs.get(id)
    if (!input) return
    input.node.disconnect()
    input.gain.disconnect()
    this.inputs.delete(id)
  }

  /** Keep exactly these inputs (by id), adding new ones and dropping the rest. */
  sync(tracks: ReadonlyMap<string, MediaStreamTrack>): void {
    for (const id of [...this.inputs.keys()]) if (!tracks.has(id)) this.remove(id)
    for (const [id, track] of tracks) this.add(id, track)
  }

  setGain(id: string, gain: number): void {
    const input = this.inputs.get(id)
    if (input) input.gain.gain.value = gain
  }

  /** A context made before any click starts suspended; call from the Record button's handler. */
  async resume(): Promise<void> {
    if (this.context.state === 'suspended') await this.context.resume()
  }

  dispose(): void {
    for (const id of [...this.inputs.keys()]) this.remove(id)
    for (const track of this.destination.stream.getTracks()) track.stop()
    if (this.ownsContext) void this.context.close().catch(() => undefined)
  }
}
