/// Reads one agent CLI's round output and says how the round ended: a rate limit (with the
/// reset the CLI printed, if any), a server error, an auth failure, a network failure, or none;
/// plus the usage the CLI reported.
///
/// Pure: a transcript, the round's exit and the time in, a ``TranscriptAnalysis`` out. Every
/// preset has its own classifier because every CLI reports errors its own way (claude: JSON
/// records and exit 1; aider: wrapped plain text and exit 0; pi: a JSON `stopReason` and exit 0),
/// so the verdict comes from the output, never from the exit code alone.
public protocol TranscriptClassifier: Sendable {
    /// - Parameters:
    ///   - transcript: the tail of the round's merged stdout+stderr.
    ///   - exit: how the agent ended; only the generic classifier weighs it (an unknown CLI's
    ///     text is no evidence of failure on its own).
    ///   - now: Unix seconds, the base of default back-offs and relative resets.
    func analyze(_ transcript: RoundTranscript, exit: AgentExit, now: Int64) -> TranscriptAnalysis
}
