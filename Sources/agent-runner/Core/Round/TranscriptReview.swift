import Detectors
import FleetCore

/// The post-round analysis of the transcript by the classifier of the agent the round ran
/// (``AgentIdentity``: claude's stream-json, aider's text, gemini's, ... or the generic one): a
/// provider throttle (`transient_error_detected`, which makes serve back off), a network blip,
/// the usage the agent reported, an agent stuck repeating a tool, an authentication failure.
///
/// Events name the agent as ``AgentIdentity/name`` says, the key of its throttle in serve and in
/// peek's `rate_limit.throttled_agents`.
struct TranscriptReview {
    let identity: AgentIdentity
    let monitor: AgentRunnerConfig.Monitor
    let wallClock: any WallClock
    let events: EventSink

    /// The tail of a round's transcript, read once for the classifier and the text patterns.
    struct Transcript {
        let classified: RoundTranscript
        let text: String

        init(bytes: [UInt8]) {
            classified = RoundTranscript(bytes: bytes)
            text = String(decoding: bytes, as: UTF8.self)
        }
    }

    /// What the agent's classifier reads in `transcript`.
    func analyze(_ transcript: Transcript, exit: AgentExit) -> TranscriptAnalysis {
        identity.classifier.analyze(transcript.classified, exit: exit, now: wallClock.now().seconds)
    }

    /// `agent_network_blip` right after `agent_exit`: the network failure the classifier found,
    /// whatever the exit code (aider exits 0 after a refused connection); for output it does not
    /// know, a failed round whose text matches the network patterns.
    func reportNetworkBlip(
        _ analysis: TranscriptAnalysis, _ transcript: Transcript, round: Int, phase: String?,
        exit: AgentExit
    ) {
        var matched = analysis.networkMatch
        if matched == nil && !exit.ok && !exit.signalDeath {
            matched = LogPatterns.firstMatch(of: LogPatterns.network, in: transcript.text)
        }
        guard let matched else { return }
        events.emit(AgentNetworkBlip(roundNum: round, phase: phase, matched: matched, exit: exit))
    }

    /// The events after `round_end`: the throttle, the usage (a success only when the round did
    /// its job and its output reports no error: aider and pi exit 0 on errors), a repetitive
    /// tool, an auth failure.
    func report(
        _ analysis: TranscriptAnalysis, _ transcript: Transcript, round: Int, phase: String?,
        exit: AgentExit
    ) {
        let agent = identity.name
        if let transient = analysis.transient {
            events.emit(TransientErrorDetected(error: transient, agent: agent, roundNum: round, phase: phase))
        }
        if let usage = analysis.usage {
            events.emit(
                AgentUsageRecorded(
                    agent: agent, usage: usage, roundNum: round, phase: phase,
                    success: exit.ok && !analysis.reportedError))
        }
        let (window, threshold) = (monitor.anomalyRepetitiveWindow, monitor.anomalyRepetitiveThreshold)
        if let hit = RepetitiveTools.firstHit(analysis.toolCalls, window: window, threshold: threshold) {
            events.emit(AnomalyRepetitiveTool(roundNum: round, call: hit.call, count: hit.count, window: window))
        }
        if let authText = authFailure(exit: exit, analysis: analysis, text: transcript.text) {
            events.emit(AgentAuthErrorDetected(roundNum: round, agent: agent, raw: authText))
        }
    }

    /// An auth failure the agent reported (its classifier's verdict), or a short failed round
    /// whose output matches `[monitor] auth_fail_patterns`. Returned redacted.
    private func authFailure(exit: AgentExit, analysis: TranscriptAnalysis, text: String) -> String? {
        if let reported = analysis.authFailure { return reported }
        guard exit.exitCode != 0, !exit.timedOut, exit.durationS < 60 else { return nil }
        for pattern in monitor.authFailPatterns {
            if let match = LogPatterns.firstMatch(of: pattern, in: UTF8Clip.suffix(text, maxBytes: 16 << 10)) {
                let line = text.split(separator: "\n").last { $0.contains(match) }.map(String.init) ?? match
                return SecretRedactor.redact(line, clippedTo: 800, maxScalars: 200, keeping: .head)
            }
        }
        return nil
    }
}
