/* global window, RTCPeerConnection */
// A tiny Calls client for Chromium test pages: one session and one RTCPeerConnection per page, driven over the
// Calls HTTP API with fetch. Not the product's meeting engine (a later issue); just enough to push, pull and
// measure with getStats. Every negotiation is serialised, as Calls requires.

class CallsPeer {
  constructor(baseUrl, token) {
    this.baseUrl = baseUrl
    this.token = token
    this.pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' })
    this.queue = Promise.resolve()
    this.sessionId = undefined
    this.stream = undefined
    this.players = []
    // Chromium decodes remote audio only when something plays it: attach each audio track to an element.
    this.pc.addEventListener('track', (event) => {
      if (event.track.kind !== 'audio') return
      const player = new window.Audio()
      player.srcObject = new window.MediaStream([event.track])
      player.play().catch(() => undefined)
      this.players.push(player)
    })
  }

  run(job) {
    const result = this.queue.then(job, job)
    this.queue = result.catch(() => undefined)
    return result
  }

  async api(method, path, body) {
    const res = await fetch(`${this.baseUrl}/${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const json = await res.json()
    if (!res.ok)
      throw new Error(`${method} ${path}: ${res.status} ${json.errorCode} ${json.errorDescription}`)
    return json
  }

  async start() {
    this.sessionId = (await this.api('POST', 'sessions/new')).sessionId
    return this.sessionId
  }

  /** Publish the fake camera and microphone as tracks "video" and "audio". */
  publish({ audio = true, video = true, simulcast = false, width = 640, height = 480, encodings } = {}) {
    return this.run(async () => {
      this.stream = await navigator.mediaDevices.getUserMedia({
        audio,
        video: video ? { width, height, frameRate: 30 } : false,
      })
      const items = []
      for (const track of this.stream.getTracks()) {
        const init = { direction: 'sendonly', streams: [this.stream] }
        if (track.kind === 'video' && simulcast) {
          init.sendEncodings = encodings ?? [
            { rid: 'f' },
            { rid: 'h', scaleResolutionDownBy: 2 },
            { rid: 'q', scaleResolutionDownBy: 4 },
          ]
        }
        items.push({ transceiver: this.pc.addTransceiver(track, init), trackName: track.kind })
      }
      await this.pc.setLocalDescription(await this.pc.createOffer())
      const reply = await this.api('POST', `sessions/${this.sessionId}/tracks/new`, {
        sessionDescription: { type: 'offer', sdp: this.pc.localDescription.sdp },
        tracks: items.map((i) => ({ location: 'local', mid: i.transceiver.mid, trackName: i.trackName })),
      })
      await this.pc.setRemoteDescription(reply.sessionDescription)
      return items.map((i) => i.trackName)
    })
  }

  /** Pull tracks; resolves with their mids and the time the request was sent (performance.now()). */
  pull(tracks) {
    return this.run(async () => {
      const t0 = performance.now()
      const reply = await this.api('POST', `sessions/${this.sessionId}/tracks/new`, {
        tracks: tracks.map((t) => ({ location: 'remote', ...t })),
      })
      const failed = reply.tracks.find((t) => t.errorCode)
      if (failed) throw new Error(`pull failed: ${failed.errorCode} ${failed.errorDescription}`)
      if (reply.requiresImmediateRenegotiation) {
        await this.pc.setRemoteDescription(reply.sessionDescription)
        await this.pc.setLocalDescription(await this.pc.createAnswer())
        await this.api('PUT', `sessions/${this.sessionId}/renegotiate`, {
          sessionDescription: { type: 'answer', sdp: this.pc.localDescription.sdp },
        })
      }
      return { t0, mids: reply.tracks.map((t) => t.mid) }
    })
  }

  /** Close tracks the Calls way: stop the transceivers, offer, tracks/close, apply the answer. */
  closeTracks(mids) {
    return this.run(async () => {
      for (const t of this.pc.getTransceivers()) if (mids.includes(t.mid)) t.stop()
      await this.pc.setLocalDescription(await this.pc.createOffer())
      const reply = await this.api('PUT', `sessions/${this.sessionId}/tracks/close`, {
        tracks: mids.map((mid) => ({ mid })),
        sessionDescription: { type: 'offer', sdp: this.pc.localDescription.sdp },
        force: false,
      })
      await this.pc.setRemoteDescription(reply.sessionDescription)
    })
  }

  /** Switch a pulled simulcast track to another layer. */
  setLayer(mid, sessionId, trackName, rid) {
    return this.run(() =>
      this.api('PUT', `sessions/${this.sessionId}/tracks/update`, {
        tracks: [{ location: 'remote', mid, sessionId, trackName, simulcast: { preferredRid: rid } }],
      }),
    )
  }

  /** Inbound stats per mid: kind, framesDecoded, frameWidth, packetsReceived, totalAudioEnergy. */
  async inbound() {
    const out = {}
    const report = await this.pc.getStats()
    report.forEach((s) => {
      if (s.type !== 'inbound-rtp') return
      out[s.mid] = {
        kind: s.kind,
        framesDecoded: s.framesDecoded ?? 0,
        frameWidth: s.frameWidth ?? 0,
        packetsReceived: s.packetsReceived ?? 0,
        totalAudioEnergy: s.totalAudioEnergy ?? 0,
        freezeCount: s.freezeCount ?? 0,
      }
    })
    return out
  }

  /** Outbound video stats per rid: frameWidth, framesEncoded, qualityLimitationReason. */
  async outbound() {
    const out = {}
    const report = await this.pc.getStats()
    report.forEach((s) => {
      if (s.type !== 'outbound-rtp' || s.kind !== 'video') return
      out[s.rid ?? ''] = {
        frameWidth: s.frameWidth ?? 0,
        framesEncoded: s.framesEncoded ?? 0,
        qualityLimitationReason: s.qualityLimitationReason ?? 'none',
      }
    })
    return out
  }

  /** Resolve with performance.now() once the track on `mid` has decoded a frame (polled every 20 ms). */
  async firstFrame(mid, timeoutMs = 15000) {
    const deadline = performance.now() + timeoutMs
    for (;;) {
      const stats = (await this.inbound())[mid]
      if (stats && stats.framesDecoded > 0) return performance.now()
      if (performance.now() > deadline) throw new Error(`no frame on mid ${mid} after ${timeoutMs} ms`)
      await new Promise((r) => window.setTimeout(r, 20))
    }
  }

  close() {
    for (const p of this.players) p.srcObject = null
    for (const t of this.stream ? this.stream.getTracks() : []) t.stop()
    this.pc.close()
  }
}

window.CallsPeer = CallsPeer
