import FleetCore

/// The round-context block (`round-context.json`, and in front of the prompt when
/// `inject_context` is on): this round's identity, the orphan stash an earlier round left and
/// how the previous round ended, so the agent can pick up where the last one stopped. Pure.
enum RoundContext {
    static func block(
        round: Int, phase: String?, startedAt: UTCInstant, previous: RoundStatus?,
        orphan: OrphanState?
    ) -> JSONValue {
        var context = JSONObject()
        context["round_num"] = .int(Int64(round))
        context["started_at"] = .string(EventTimestamp.format(startedAt))
        if let phase { context["phase"] = .string(phase) }
        if let orphan {
            context["orphan_stash"] = .object(
                JSONObject([
                    ("ref", .string(orphan.stashedRef)), ("message", .string(orphan.stashMessage)),
                    ("files", .array(orphan.files.map { .string($0) })),
                ]))
        }
        if let previous {
            context["previous"] = .object(
                JSONObject([
                    ("exit_code", previous.lastExitCode.map { .int(Int64($0)) } ?? .null),
                    ("duration_s", previous.lastDurationS.map { .double($0) } ?? .null),
                    ("ended_at", previous.lastCompletedAt.map { .string($0) } ?? .null),
                    ("had_dirty_tree", .bool(orphan != nil)),
                ]))
        }
        return .object(context)
    }
}
