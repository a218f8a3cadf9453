import Detectors
import FleetCore

/// The post-round analysis of the transcript (the original's claude plugin): a provider
/// throttle (`transient_error_detected`, which makes serve back off), the usage the agent
/// reported, an agent stuck repeating a tool, an authentication failure.
struct TranscriptReview {
    let monitor: AgentRunnerConfig.Monitor
    let wallClock: any WallClock
    let events: EventSink

    /// Records what the transcript `text` of round `round` shows; returns the throttle found.
    func review(_ text: String, round: Int, phase: String?, agent: String, exit: AgentExit) -> TransientError? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let analysis = ClaudeStreamClassifier().analyze(lines: lines, now: wallClock.now().seconds)
        if let transient = analysis.transient {
            events.emit(TransientErrorDetected(error: transient, agent: agent, roundNum: round, phase: phase))
        }
        if let usage = analysis.usage {
            events.emit(AgentUsageRecorded(agent: agent, usage: usage, roundNum: round, phase: phase, success: exit.ok))
        }
        let (window, threshold) = (monitor.anomalyRepetitiveWindow, monitor.anomalyRepetitiveThreshold)
        if let hit = RepetitiveTools.firstHit(analysis.toolCalls, window: window, threshold: threshold) {
            events.emit(AnomalyRepetitiveTool(roundNum: round, call: hit.call, count: hit.count, window: window))
        }
        if let authText = authFailure(exit: exit, analysis: analysis, text: text) {
            events.emit(AgentAuthErrorDetected(roundNum: round, agent: agent, raw: authText))
        }
        return analysis.transient
    }

    /// An auth failure the agent reported: a 401 result, or a short failed round whose output
    /// matches `[monitor] auth_fail_patterns`. Returned redacted.
    private func authFailure(exit: AgentExit, analysis: TranscriptAnalysis, text: String) -> String? {
        if let reported = analysis.authFailure { return reported }
        guard exit.exitCode != 0, !exit.timedOut, exit.durationS < 60 else { return nil }
        for pattern in monitor.authFailPatterns {
            if let match = LogPatterns.firstMatch(of: pattern, in: String(text.suffix(16 << 10))) {
                let line = text.split(separator: "\n").last { $0.contains(match) }.map(String.init) ?? match
                return String(SecretRedactor.redact(String(line.prefix(400))).prefix(200))
            }
        }
        return nil
    }
}
