import FleetCore

/// What a round left uncommitted, and what `[vcs] dirty_action` does with it: nothing, a stash
/// named by its commit (orphan-state.json points the next round at it), or an auto-commit. Only
/// a round that did its job (or was grace-killed after its result) has its work put away; a
/// crashed round's tree is left for the next round to see.
struct DirtyTreeHandler {
    let git: GitWorkTree
    let vcs: AgentRunnerConfig.VCS
    let logDir: String
    let fileSystem: any FileSystem
    let wallClock: any WallClock
    let events: EventSink

    /// Handles the tree after round `round`; returns HEAD after it (for round_substrate_after).
    func handle(round: Int, phase: String?, exit: AgentExit) -> String? {
        let files: [String]
        let head: String?
        do {
            (files, head) = try git.status()
        } catch {
            events.emit(DirtyCheckFailed(roundNum: round, error: error))
            return git.probe().head
        }
        guard !files.isEmpty else {
            fileSystem.removeFile(OrphanState.path(logDir: logDir))
            return head
        }
        events.emit(DirtyDetected(roundNum: round, files: files))
        guard exit.ok || exit.graceKilled else { return head }
        switch vcs.dirtyAction {
        case .ignore:
            return head
        case .stash:
            stash(files, round: round, phase: phase)
            return head
        case .autoCommit:
            return commit(files, round: round, phase: phase) ?? head
        }
    }

    /// Stashes the changes, unless this round's stash was made moments ago (a restarted round).
    private func stash(_ files: [String], round: Int, phase: String?) {
        let label = "ORPHAN R\(round)"
        let now = wallClock.now().seconds
        if let top = git.topStash(), top.subject.contains(label + " ") || top.subject.hasSuffix(label),
            now - top.epoch <= Int64(vcs.stashIdempotencyS)
        {
            events.emit(OrphanIdempotentSkip(roundNum: round, ref: top.sha))
            return
        }
        let timestamp = EventTimestamp.format(wallClock.now())
        let message = "\(label)\(phase.map { " phase=\($0)" } ?? "") ts=\(timestamp.prefix(19))"
        do {
            let sha = try git.stash(message: message)
            let state = OrphanState(
                roundNum: round, files: Array(files.prefix(200)), stashedRef: sha,
                stashMessage: message, timestamp: timestamp, phase: phase)
            try? state.write(logDir: logDir, fileSystem: fileSystem)
            events.emit(OrphanStashed(roundNum: round, ref: sha))
        } catch {
            events.emit(OrphanStashFailed(roundNum: round, phase: phase, error: error))
        }
    }

    /// Commits the changes; returns the new HEAD, or nil when the commit failed.
    private func commit(_ files: [String], round: Int, phase: String?) -> String? {
        do {
            let sha = try git.commitAll(message: "agent-runner auto-commit: R\(round)\(phase.map { " \($0)" } ?? "")")
            events.emit(DirtyAutoCommitted(roundNum: round, files: files, ref: sha))
            return sha
        } catch {
            events.emit(DirtyCommitFailed(roundNum: round, phase: phase, error: error))
            return nil
        }
    }
}
