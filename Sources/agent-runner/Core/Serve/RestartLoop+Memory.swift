import FleetCore

extension RestartLoop {
    /// The mem_loop breaker after a round (precedence config_broken > mem_loop > crash_loop):
    /// `mem_loop` (exit 71, systemd restarts serve, which may find the pressure gone) or, the 3rd
    /// time within 2 h, `mem_loop_persistent` (exit 70: the host needs a person).
    func memLoopVerdict(_ end: ServeMemoryDefenses.RoundEnd, exit: AgentExit, round: RoundResult) -> ServeEnding? {
        guard let memory = gates.memory else { return nil }
        let verdict = memory.recordForBreaker(end, exitCode: exit.exitCode)
        // The reason reads and redacts the transcript: only for a give-up.
        guard verdict != .carryOn, let event = verdict.event(reason: transcriptReason(round)) else { return nil }
        events.emit(event)
        switch verdict {
        case .carryOn:
            return nil
        case .memLoop(let consecutive, _):
            stderr.write(
                "agent-runner: mem_loop: \(consecutive) rounds in a row ended for lack of memory; "
                    + "exiting 71 so systemd restarts serve. Free memory on the host, or lower the agent's use\n")
            return .memLoop
        case .memLoopPersistent(_, _, let loops):
            stderr.write(
                "agent-runner: mem_loop_persistent: \(loops) mem_loops within 2 h; exiting 70, systemd will not "
                    + "restart serve. See docs/runbook.md (Small hosts) for what to tune, "
                    + "then 'agent-runner start'\n"
            )
            return .memLoopPersistent
        }
    }

    /// The give-up events' `reason`: the last 2000 scalars (at most 8000 bytes) of the round's
    /// transcript, redacted.
    ///
    /// Redacted before it is cut, over a 64 KiB window: a 4000-byte tail cut through a PEM key
    /// once left the key's body without its BEGIN line, which no rule recognised.
    func transcriptReason(_ round: RoundResult) -> String {
        let window = String(decoding: fileSystem.tail(of: round.logPath, bytes: 64 << 10), as: UTF8.self)
        return SecretRedactor.redact(window, clippedTo: 8000, maxScalars: 2000, keeping: .tail)
    }
}
